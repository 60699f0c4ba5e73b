from django import forms

from cchc.notices.models import Preference


class PreferenceForm(forms.Form):
    channel = forms.ChoiceField(
        label="Cách nhận thông báo", choices=Preference.Channel.choices, widget=forms.RadioSelect
    )
