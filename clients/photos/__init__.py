"""Private clinical photos: upload from the tablet camera or files, processing with Pillow
(``processing``), the writes (``services``: ``photo_upload`` is the one entry point other
features call), the reads (``selectors``) and the pages that show and serve them."""
