from cchc.core import history
from cchc.initiatives.models import Initiative
from cchc.initiatives.permissions import access_initiative

history.register(
    Initiative,
    access_initiative,
    labels={
        "authors": "Tác giả (tỷ lệ đóng góp)",
        "attachment": "Tài liệu kèm theo",
        "final_score": "Điểm cuối cùng",
    },
)
