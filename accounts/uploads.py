"""An upload handler that stops storing a file as soon as it passes the size limit."""

from django.conf import settings
from django.core.files.uploadhandler import SkipFile, StopUpload, TemporaryFileUploadHandler

# A request this much bigger than the limit is not read to its end: the connection is dropped.
HOPELESS_MARGIN = 10 * 1024 * 1024


class DocumentUploadHandler(TemporaryFileUploadHandler):
    """Streams to a temporary file; one byte over DOCUMENT_MAX_BYTES and the file is dropped.

    The view sees `request.document_too_large` and says so. Nothing over the limit is kept on
    disk, and memory stays flat whatever the size.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.request_length = content_length or 0
        self.request.document_too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            self.request.document_too_large = True
            if self.request_length > settings.DOCUMENT_MAX_BYTES + HOPELESS_MARGIN:
                raise StopUpload(connection_reset=True)
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)
