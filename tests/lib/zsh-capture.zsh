#!/bin/zsh -f
# SPDX-License-Identifier: MIT
# zsh-capture.zsh FPATH-DIR LINE: what zsh's own completion system (compinit, _arguments, _normal)
# offers when TAB is pressed after LINE, one candidate a line. An interactive zsh runs in a
# pseudo-terminal (zsh/zpty); compadd is wrapped to print what it is given; the completion's
# post-function ends the shell.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''; fpath=($1 \$fpath)"
zpty -w z 'autoload -U compinit; compinit -u -D'
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
# (the markers are written split, so that the echo of these lines never matches them)
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits; builtin compadd -A __hits "$@"; local ret=$?
  (( $#__hits )) && print -l -- "<"hit">"${^__hits}
  builtin compadd "$@"; return ret
}'
zpty -w z 'finish () { print "<"done">"; exit }'
zpty -w z 'zstyle ":completion:*" completer _complete; comppostfuncs=(finish)'
zpty -w -n z "$2"$'\t'
while zpty -r z line; do
  [[ $line == *'<done>'* ]] && break
  [[ $line == *'<hit>'* ]] && print -r -- "${${line##*<hit>}//[$'\r\n']/}"
done
zpty -d z
