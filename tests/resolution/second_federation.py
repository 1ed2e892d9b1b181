"""A second federation's resolution, written for the tests (not copied from any real one):
a money target in đồng and a share-of-eligible-enterprises target beside ordinary ones."""

import copy

HAU_GIANG_2024 = {
    "organisation": {"code": "HGT", "name": "Liên đoàn Lao động tỉnh Thử Nghiệm", "kind": "province"},
    "year": 2024,
    "issuing_body": "Ban Chấp hành Liên đoàn Lao động tỉnh Thử Nghiệm",
    "issued_on": "2024-01-30",
    "title": "Nghị quyết năm 2024",
    "theme": "Đổi mới hoạt động công đoàn",
    "report_due_day": 25,
    "targets": [
        {
            "number": 1,
            "short_name": "Quỹ Mái ấm Công đoàn",
            "text": "Vận động Quỹ Mái ấm Công đoàn đạt 12.400.000.000 đồng.",
            "components": [
                {
                    "figure": 12_400_000_000,
                    "unit_of_measure": "đồng",
                    "measure": "quantity",
                    "reported_by": ["grassroots", "upper_level"],
                }
            ],
        },
        {
            "number": 2,
            "short_name": "Thỏa ước lao động tập thể",
            "text": "70% doanh nghiệp có tổ chức công đoàn ký kết thỏa ước lao động tập thể.",
            "components": [
                {
                    "figure": 70,
                    "figure_kind": "share_of_eligible",
                    "unit_of_measure": "doanh nghiệp",
                    "measure": "units_done",
                    "reported_by": ["grassroots"],
                    "sectors": ["state_enterprise", "non_state_enterprise"],
                }
            ],
        },
        {
            "number": 3,
            "short_name": "Kết nạp đoàn viên",
            "text": "Kết nạp mới 2.340 đoàn viên.",
            "components": [
                {"figure": 2340, "unit_of_measure": "đoàn viên", "measure": "quantity", "reported_by": ["grassroots"]}
            ],
        },
    ],
    "tasks": [{"number": 1, "title": "Chăm lo đoàn viên", "text": "Chăm lo Tết cho đoàn viên."}],
}


def second_federation():
    """A fresh copy to change at will."""
    return copy.deepcopy(HAU_GIANG_2024)
