#compdef wharfctl
# zsh completion for wharfctl: source <(wharfctl completion zsh), after compinit; or save it as
# _wharfctl in a directory of $fpath. Every TAB asks wharfctl itself (wharfctl __complete -- WORD...).
_wharfctl() {
  local -a out
  out=("${(@f)$(${words[1]} __complete -- "${(@)words[2,CURRENT]}" 2>/dev/null)}")
  out=(${out:#})
  if [[ "${out[1]}" == ":file" ]]; then
    _files
    return
  fi
  (( ${#out} )) && compadd -- "${out[@]}"
}
if [[ "${funcstack[1]}" == "_wharfctl" ]]; then
  _wharfctl "$@"
else
  compdef _wharfctl wharfctl
fi
