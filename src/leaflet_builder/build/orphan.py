"""Imported first by the fork server (and only there): it ends when the build that started it ends.

The fork server is a plain Python process started by multiprocessing; the only code of ours it
runs before serving is the list of modules it preloads (build/runners.worker_context), so this
module's import is where it asks to die with its parent. The main process never imports it.
"""

from leaflet_builder.build.guards import die_with_parent

die_with_parent()
