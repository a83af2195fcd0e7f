# Sourced by the scripts that need what rusteron-archive-sys's build script produced.
# sys_build [cargo args...]: builds the sys crate and keeps the line cargo printed for its build
# script; sys_out_dir and `sys_env NAME` (a cargo:rustc-env value) read that line.
sys_build() {
  sys_line=$(cargo build -q -p rusteron-archive-sys --message-format=json "$@" \
    | grep '"reason":"build-script-executed"' | grep 'rusteron-archive-sys' | tail -1)
  [ -n "$sys_line" ] || { echo "no build-script output for rusteron-archive-sys" >&2; return 1; }
}
sys_out_dir() { echo "$sys_line" | grep -o '"out_dir":"[^"]*"' | sed 's/^"out_dir":"//; s/"$//'; }
sys_env() { echo "$sys_line" | grep -o "\"$1\",\"[^\"]*\"" | sed 's/^[^,]*,"//; s/"$//'; }
