"""``python -m wa_async.emulator --port 8089``."""

import sys

from ._serve import main

sys.exit(main())
