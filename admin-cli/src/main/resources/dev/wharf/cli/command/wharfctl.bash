# bash completion for wharfctl: source <(wharfctl completion bash)
# Every TAB asks wharfctl itself (wharfctl __complete -- WORD...) what may come next: commands,
# flags, kinds, and the names of listeners, upstreams, routes and nodes from the Admin API.
_wharfctl_complete() {
  local cur="${COMP_WORDS[COMP_CWORD]}"
  local -a before=()
  local line="${COMP_LINE:0:COMP_POINT}"
  # The words before the current one, split at blanks only: bash's own COMP_WORDS also split at
  # ':' and '=', which would cut --server host:port in three.
  read -r -a before <<< "$line"
  if [[ "$line" != *[[:space:]] && ${#before[@]} -gt 0 ]]; then
    unset 'before[${#before[@]}-1]'
  fi
  [[ "$cur" == "=" || "$cur" == ":" ]] && cur=""
  local out
  out=$("${before[0]:-wharfctl}" __complete -- "${before[@]:1}" "$cur" 2>/dev/null) || return 0
  if [[ "$out" == ":file" ]]; then
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
    return 0
  fi
  mapfile -t COMPREPLY <<< "$out"
  [[ -z "$out" ]] && COMPREPLY=()
  return 0
}
complete -F _wharfctl_complete wharfctl
