#ifndef STAGECRAFT_CLIBGIT2_SHIM_H
#define STAGECRAFT_CLIBGIT2_SHIM_H

#include <git2.h>

#endif
