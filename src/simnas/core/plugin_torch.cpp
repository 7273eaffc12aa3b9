// The torch plugin's version mark (core/plugin.h): one per plugin.
#include "simnas/core/plugin.h"

SIMNAS_PLUGIN_VERSION_ENTRY()
