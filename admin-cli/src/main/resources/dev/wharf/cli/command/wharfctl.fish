# fish completion for wharfctl: wharfctl completion fish | source
# (or save it as ~/.config/fish/completions/wharfctl.fish).
# Every TAB asks wharfctl itself (wharfctl __complete -- WORD...) what may come next.
function __wharfctl_complete
    set -l words (commandline -opc)
    set -l current (commandline -ct)
    set -l out ($words[1] __complete -- $words[2..-1] "$current" 2>/dev/null)
    if test "$out[1]" = ":file"
        __fish_complete_path "$current"
        return
    end
    printf '%s\n' $out
end
complete -c wharfctl -f -a '(__wharfctl_complete)'
