from django import forms

from cchc.plans.models import Area, Plan, Target, Task, TaskEvidence


class TaskFilterForm(forms.Form):
    q = forms.CharField(
        label="Tìm kiếm",
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": "Nội dung, đơn vị, sản phẩm… (không cần dấu)", "type": "search"}
        ),
    )
    plan = forms.TypedChoiceField(label="Kế hoạch", required=False, coerce=int, empty_value=None)
    area = forms.TypedChoiceField(
        label="Lĩnh vực",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "Tất cả lĩnh vực"), *Area.choices],
    )
    lead_unit = forms.TypedChoiceField(label="Đơn vị chủ trì", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label="Trạng thái", required=False, choices=[("", "Tất cả trạng thái"), *Task.Status.choices]
    )
    overdue = forms.BooleanField(label="Chỉ nhiệm vụ quá hạn", required=False)

    def __init__(self, *args, plans=(), lead_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].choices = [
            ("", "Tất cả kế hoạch"),
            *((p.pk, f"{p.number} – {p.issuer}") for p in plans),
        ]
        self.fields["lead_unit"].choices = [("", "Tất cả đơn vị"), *((u.pk, str(u)) for u in lead_units)]


class TaskProgressForm(forms.Form):
    status = forms.ChoiceField(label="Trạng thái", choices=Task.Status.choices)
    progress = forms.IntegerField(label="Tiến độ (%)", min_value=0, max_value=100)
    result = forms.CharField(
        label="Kết quả thực hiện", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    completed_on = forms.DateField(
        label="Ngày hoàn thành", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    responsible = forms.ModelChoiceField(
        label="Người phụ trách", required=False, queryset=None, empty_label="(chưa giao)"
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people


class TaskStructureForm(forms.Form):
    area = forms.TypedChoiceField(label="Lĩnh vực", choices=Area.choices, coerce=int)
    number = forms.CharField(label="Số thứ tự", required=False, max_length=20)
    content = forms.CharField(label="Nội dung công việc", widget=forms.Textarea(attrs={"rows": 4}))
    lead = forms.CharField(
        label="Đơn vị chủ trì", required=False, help_text="Nhiều đơn vị cách nhau bởi dấu chấm phẩy (;)"
    )
    partners = forms.CharField(
        label="Đơn vị phối hợp", required=False, help_text="Nhiều đơn vị cách nhau bởi dấu chấm phẩy (;)"
    )
    product = forms.CharField(label="Sản phẩm", required=False, max_length=500)
    time_text = forms.CharField(
        label="Thời gian hoàn thành",
        required=False,
        max_length=200,
        help_text="Ví dụ: 2026-2030; Quý II/2026; Theo chỉ đạo của UBND thành phố",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Tệp kiểm chứng")
    kind = forms.ChoiceField(label="Loại tài liệu", choices=TaskEvidence.Kind.choices)
    note = forms.CharField(label="Ghi chú", required=False, max_length=300)


class TargetForm(forms.Form):
    area = forms.TypedChoiceField(label="Lĩnh vực", choices=Area.choices, coerce=int)
    text = forms.CharField(label="Nội dung chỉ tiêu", widget=forms.Textarea(attrs={"rows": 3}))
    metric = forms.CharField(label="Chỉ số đo", required=False, max_length=300)
    comparator = forms.ChoiceField(label="So sánh", choices=Target.Comparator.choices)
    threshold = forms.DecimalField(label="Ngưỡng", required=False, max_digits=12, decimal_places=2)
    unit_of_measure = forms.CharField(label="Đơn vị tính", required=False, max_length=30)
    deadline_year = forms.IntegerField(label="Năm đạt", required=False, min_value=2000, max_value=2100)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlanImportForm(forms.Form):
    file = forms.FileField(label="Tệp Excel (.xlsx)")


class ConcretiseForm(forms.Form):
    issuer = forms.TypedChoiceField(label="Đơn vị cụ thể hóa", coerce=int)
    number = forms.CharField(label="Số, ký hiệu", required=False, max_length=60)
    title = forms.CharField(label="Trích yếu", max_length=500)
    issued_on = forms.DateField(
        label="Ngày ban hành", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    targets = forms.TypedMultipleChoiceField(
        label="Chỉ tiêu mang xuống", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    tasks = forms.TypedMultipleChoiceField(
        label="Nhiệm vụ mang xuống", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, parent: Plan, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].choices = [(u.pk, str(u)) for u in issuers]
        self.fields["targets"].choices = [(t.pk, t.text) for t in parent.targets.order_by("area", "position")]
        self.fields["tasks"].choices = [
            (t.pk, str(t)) for t in parent.tasks.filter(parent=None).order_by("area", "position")
        ]


class PlanIssueForm(forms.Form):
    number = forms.CharField(label="Số, ký hiệu", max_length=60)
    issued_on = forms.DateField(label="Ngày ban hành", widget=forms.DateInput(attrs={"type": "date"}))
    allow_duplicate_number = forms.BooleanField(
        label="Tôi xác nhận đây là kế hoạch khác với kế hoạch cùng số đã có", required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, ask_duplicate: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_duplicate:  # asked only once the number turns out to be taken
            del self.fields["allow_duplicate_number"]


class PlanDeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


def duplicate_choice(data) -> tuple[int | None, bool]:
    """The answer to the duplicate-number question: ("replace-<pk>" → that plan) or "distinct"."""
    choice = (data.get("on_duplicate") or "").strip()
    if choice.startswith("replace-") and choice[8:].isdigit():
        return int(choice[8:]), False
    return None, choice == "distinct"
