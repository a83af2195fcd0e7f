# Sourced by the packaging scripts. path_without DIR NAME...: fills DIR with symlinks to every
# command on PATH except the NAMEs, so PATH=DIR proves a build does not need them.
path_without() {
  local dir=$1 t p x skip
  shift
  mkdir -p "$dir"
  for t in $(compgen -c | sort -u); do
    skip=""
    for x in "$@"; do [ "$t" = "$x" ] && skip=1; done
    [ -n "$skip" ] && continue
    p=$(command -v "$t" 2>/dev/null || true)
    case "$p" in /*) [ -e "$dir/$t" ] || ln -s "$p" "$dir/$t" ;; esac
  done
}
