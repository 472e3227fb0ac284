#!/usr/bin/env bash
# Installs scripts/commit-msg as the repository's commit-msg hook (subject at most 72 characters, a
# blank line before the body). Works from the main checkout and from any worktree: the hooks folder
# is the one git itself uses (`git rev-parse --git-path hooks`, which follows core.hooksPath and is
# shared by every worktree of the repository).
#
# Usage: scripts/install-hooks.sh [--link] [--force]
#   default   copy the hook (it keeps working if this worktree is removed; run again after the
#             script changes)
#   --link    a symbolic link to this worktree's scripts/commit-msg instead (follows its edits)
#   --force   replace a commit-msg hook that is not this one
set -euo pipefail

MARKER="synod commit-msg hook"

link=false
force=false
for argument in "$@"; do
  case "$argument" in
    --link) link=true ;;
    --force) force=true ;;
    -h | --help)
      sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install-hooks: unknown option '$argument' (use --link, --force or --help)" >&2
      exit 2
      ;;
  esac
done

root="$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel)"
source_hook="$root/scripts/commit-msg"
hooks="$(git -C "$root" rev-parse --git-path hooks)"
case "$hooks" in
  /*) ;;
  *) hooks="$root/$hooks" ;; # relative to the worktree's top, where git -C ran it
esac
target="$hooks/commit-msg"

if [ ! -f "$source_hook" ]; then
  echo "install-hooks: $source_hook is missing" >&2
  exit 1
fi
if [ -e "$target" ] || [ -L "$target" ]; then
  ours=false
  if grep -q "$MARKER" "$target" 2>/dev/null; then
    ours=true
  elif [ -L "$target" ] && [[ "$(readlink "$target")" == */scripts/commit-msg ]]; then
    ours=true # a link to a worktree that was removed since
  fi
  if ! $force && ! $ours; then
    echo "install-hooks: $target exists and is not Synod's hook; keep it, or replace it with --force" >&2
    exit 1
  fi
  rm -f "$target"
fi

mkdir -p "$hooks"
if $link; then
  ln -s "$source_hook" "$target"
  echo "install-hooks: $target -> $source_hook"
else
  cp "$source_hook" "$target"
  chmod +x "$target"
  echo "install-hooks: copied $source_hook to $target"
fi
