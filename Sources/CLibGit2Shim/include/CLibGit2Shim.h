#ifndef STAGECRAFT_CLIBGIT2SHIM_H
#define STAGECRAFT_CLIBGIT2SHIM_H

// Swift cannot call C variadic functions such as git_libgit2_opts, so each option
// Stagecraft needs gets a fixed-signature wrapper here.

/// Where libgit2 looks for the configuration of one level (GIT_CONFIG_LEVEL_SYSTEM,
/// _XDG, _GLOBAL, _PROGRAMDATA). Returns libgit2's error code.
int stagecraft_git_set_config_search_path(int level, const char *path);

/// Whether libgit2 refuses repositories owned by another user (safe.directory).
/// Returns libgit2's error code; `enabled` receives 0 or 1.
int stagecraft_git_get_owner_validation(int *enabled);

#endif
