"""What the demo's people write: reviewers' return comments and units' narratives per
priority task (Vietnamese, as officers write them)."""

RETURN_COMMENTS = [
    "Đề nghị kiểm tra lại số đoàn viên kết nạp mới, chưa khớp với danh sách gửi kèm.",
    "Số đoàn viên nhập lên phần mềm cao hơn số đoàn viên của đơn vị, đề nghị rà soát lại.",
    "Đề nghị bổ sung ngày tổ chức hội nghị và gửi kèm biên bản.",
    "Giá trị bữa ăn ca chưa đúng với thỏa thuận đã ký, đề nghị điều chỉnh.",
    "Báo cáo thiếu phần kết quả thực hiện nhiệm vụ trọng tâm, đề nghị bổ sung.",
]

TASK_NARRATIVES = {
    1: [
        "Quán triệt Nghị quyết Đại hội X Công đoàn tỉnh; xây dựng kế hoạch thực hiện chỉ tiêu năm.",
        "Rà soát tiến độ thực hiện các chỉ tiêu, chuẩn bị nội dung sơ kết giữa nhiệm kỳ.",
        "Họp Ban Chấp hành đánh giá kết quả tháng, đề ra giải pháp cho các chỉ tiêu còn chậm.",
    ],
    2: [
        "Phổ biến Bộ luật Lao động (sửa đổi) cho đoàn viên, người lao động.",
        "Phối hợp với người sử dụng lao động tổ chức đối thoại định kỳ tại nơi làm việc.",
        "Tham gia xây dựng quy chế dân chủ cơ sở theo Nghị định 04 và Nghị định 149.",
        "Thương lượng nâng giá trị bữa ăn ca cho người lao động.",
    ],
    3: [
        "Thăm hỏi, tặng quà Tết cho đoàn viên có hoàn cảnh khó khăn.",
        "Vận động đoàn viên đóng góp Quỹ “Mái ấm Công đoàn”.",
        "Thăm hỏi đoàn viên ốm đau, gặp khó khăn do dịch COVID-19.",
    ],
    4: [
        "Tuyên truyền Đại hội Đảng bộ các cấp tiến tới Đại hội XIII của Đảng.",
        "Tổ chức các hoạt động hưởng ứng Tháng Công nhân.",
        "Nắm tình hình tư tưởng, tâm trạng của đoàn viên, người lao động.",
    ],
    5: [
        "Vận động người lao động gia nhập công đoàn.",
        "Cập nhật thông tin đoàn viên lên phần mềm quản lý, đổi thẻ đoàn viên.",
        "Cử cán bộ công đoàn tham gia lớp tập huấn nghiệp vụ.",
    ],
    6: [
        "Phát động thi đua chào mừng kỷ niệm 90 năm Ngày thành lập Đảng Cộng sản Việt Nam.",
        "Tham gia phong trào thi đua “Lao động giỏi, lao động sáng tạo”.",
        "Bình chọn điển hình tiên tiến chào mừng Đại hội thi đua yêu nước.",
    ],
    7: [
        "Thu kinh phí, đoàn phí công đoàn đúng quy định.",
        "Công khai tài chính công đoàn theo quy định.",
        "Ủy ban kiểm tra công đoàn kiểm tra việc thu, chi tài chính.",
    ],
}
GENERIC_NARRATIVE = "Tiếp tục triển khai nhiệm vụ theo kế hoạch."
