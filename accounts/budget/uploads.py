"""A bank statement upload that stops being read as soon as it passes the import limit."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, StopUpload, TemporaryFileUploadHandler

DEFAULT_MAX_BYTES = 5 * 1024 * 1024  # a year of statements is usually under 200 KB
HOPELESS_MARGIN = 10 * 1024 * 1024


def max_statement_bytes() -> int:
    return getattr(settings, "BUDGET_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


class StatementUploadHandler(TemporaryFileUploadHandler):
    """One byte over the limit and the file is dropped; the view sees `request.statement_too_large`."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0
        self.request.statement_too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > max_statement_bytes():
            self.request.statement_too_large = True
            if self.request_length > max_statement_bytes() + HOPELESS_MARGIN:
                raise StopUpload(connection_reset=True)
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
