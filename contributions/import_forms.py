"""The curators' forms of an import: the upload, and the column mapping of the preview."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.importers.mapping import FIELDS, IGNORED, field_choices
from catalogue.importers.reading import MAX_FILE_BYTES, UnreadableFile, read_table

from .models import ImportBatch


class UploadForm(forms.ModelForm):
    file = forms.FileField(
        label=_("file"),
        help_text=_(
            "CSV (comma, semicolon or tab; UTF-8 or Latin-1), Excel (XLSX) or GeoJSON, up to %(size)d MB."
        )
        % {"size": MAX_FILE_BYTES // (1024 * 1024)},
    )
    repeat_of = forms.ModelChoiceField(
        label=_("same columns as an earlier import"),
        queryset=ImportBatch.objects.none(),
        required=False,
        help_text=_("Its source, licence and column mapping are used again: for next year's file."),
    )

    class Meta:
        model = ImportBatch
        fields = ("file", "network", "repeat_of", "source", "licence", "sheet")

    def __init__(self, *args, networks, earlier, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].queryset = networks
        self.fields["network"].help_text = _("The new entries are drafts of this network.")
        if networks.count() == 1:
            self.fields["network"].initial = networks.first()
        self.fields["repeat_of"].queryset = earlier
        self.fields["source"].required = False

    def clean(self):
        cleaned = super().clean()
        upload, earlier = cleaned.get("file"), cleaned.get("repeat_of")
        if earlier is not None:
            cleaned["source"] = cleaned.get("source") or earlier.source
            cleaned["licence"] = cleaned.get("licence") or earlier.licence
            cleaned["sheet"] = cleaned.get("sheet") or earlier.sheet
        if not cleaned.get("source"):
            self.add_error("source", _("Say who publishes this file."))
        if upload is not None:
            if upload.size > MAX_FILE_BYTES:
                self.add_error("file", _("This file is too large."))
                return cleaned
            content = upload.read()
            try:
                read_table(upload.name, content, cleaned.get("sheet", ""))
            except UnreadableFile as error:
                self.add_error("file", str(error))
            self.instance.content = content
            self.instance.file_name = upload.name[:255]
            self.instance.mapping = earlier.mapping if earlier is not None else {}
        return cleaned


class MappingForm(forms.Form):
    """One choice per column of the file, and whether refused rows may be left out."""

    leave_out_refused = forms.BooleanField(
        label=_("import without the refused rows"),
        required=False,
        help_text=_(
            "Otherwise a single refused row stops the whole import, so that the file can be corrected first."
        ),
    )

    def __init__(self, *args, headings, mapping, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.headings = headings
        self.columns = []
        for number, heading in enumerate(headings):
            name = f"column_{number}"
            self.fields[name] = forms.ChoiceField(
                label=heading, choices=field_choices(), required=False, initial=mapping.get(heading, IGNORED)
            )
            self.columns.append((self[name], heading, samples.get(heading, [])))

    def clean(self):
        cleaned = super().clean()
        chosen = {}
        for number, heading in enumerate(self.headings):
            field_name = cleaned.get(f"column_{number}") or IGNORED
            if field_name and field_name in chosen:
                self.add_error(
                    f"column_{number}",
                    _("“%(field)s” is already filled by the column “%(other)s”.")
                    % {"field": FIELDS[field_name][0], "other": chosen[field_name]},
                )
            chosen.setdefault(field_name, heading)
        return cleaned

    def mapping(self):
        return {
            heading: self.cleaned_data.get(f"column_{n}") or IGNORED
            for n, heading in enumerate(self.headings)
        }
