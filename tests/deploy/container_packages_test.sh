#!/usr/bin/env bash
# Checks that the runtime stage of the container image installs every
# package that provides a shared library the binaries link.
#
#   container_packages_test.sh CONTAINERFILE BINARY...
#
# For each BINARY (built on this Debian machine, like the image's build
# stage), `ldd` lists the libraries and `dpkg -S` names the package of each.
# A package is fine when the last stage's `apt-get install` names it or the
# base image already has it: the essential packages and apt with everything
# they depend on, which every Debian image, slim or not, contains.
# Exits 77 (skipped) where dpkg or ldd is missing.
set -euo pipefail

if [[ $# -lt 2 ]]; then
    echo "usage: $0 CONTAINERFILE BINARY..." >&2
    exit 2
fi
containerfile=$1
shift
for tool in ldd dpkg dpkg-query; do
    if ! command -v "$tool" >/dev/null; then
        echo "skipped: $tool is not on this machine" >&2
        exit 77
    fi
done
[[ -r $containerfile ]] || { echo "cannot read $containerfile" >&2; exit 2; }

# Packages of the last stage's apt-get install lines (continuations joined).
installed=$(awk '
    /^FROM[ \t]/ { text = ""; next }
    { line = $0; sub(/\\[ \t]*$/, " ", line); text = text " " line }
    END { print text }' "$containerfile" |
    grep -oE 'apt-get install[^&;|]*' |
    sed -E 's/^apt-get install//' | tr ' ' '\n' |
    grep -vE '^(-.*|)$' | sort -u)
if [[ -z $installed ]]; then
    echo "$containerfile: the last stage installs no packages with apt-get install" >&2
    exit 1
fi

# The base image: essential packages and apt, closed over Pre-Depends and
# Depends (the first installed alternative of each), from one dpkg dump.
declare -A base=()
while read -r pkg; do
    base[$pkg]=1
done < <(dpkg-query -W -f='${Package}\t${db:Status-Abbrev}\t${Essential}\t${Pre-Depends}, ${Depends}\n' |
    awk -F '\t' '
        $2 ~ /^.i/ {
            installed[$1] = 1
            deps[$1] = $4
            if ($3 == "yes") queue[++n] = $1
        }
        END {
            queue[++n] = "apt"
            for (i = 1; i <= n; i++) {
                p = queue[i]
                if (p in seen || !(p in installed)) continue
                seen[p] = 1
                print p
                count = split(deps[p], list, ",")
                for (j = 1; j <= count; j++) {
                    alts = split(list[j], alt, "|")
                    for (k = 1; k <= alts; k++) {
                        name = alt[k]
                        gsub(/\([^)]*\)/, "", name)
                        gsub(/[ \t]/, "", name)
                        sub(/:.*/, "", name)
                        if (name in installed) { queue[++n] = name; break }
                    }
                }
            }
        }')

package_of() {
    local path=$1 candidates=("$1") real
    real=$(readlink -f "$path")
    candidates+=("$real")
    # Debian 12 merges /lib into /usr/lib; dpkg records either spelling.
    for p in "$path" "$real"; do
        case $p in
            /usr/*) candidates+=("${p#/usr}") ;;
            *) candidates+=("/usr$p") ;;
        esac
    done
    local c
    for c in "${candidates[@]}"; do
        if out=$(dpkg -S "$c" 2>/dev/null); then
            echo "${out%%:*}" | head -n 1
            return 0
        fi
    done
    return 1
}

missing=0
checked=0
for binary in "$@"; do
    if [[ ! -e $binary ]]; then
        # A build of the test targets only (the sanitizer build) has no binary.
        echo "skipped: $binary is not built" >&2
        exit 77
    fi
    if [[ ! -r $binary ]]; then
        echo "cannot read $binary" >&2
        exit 2
    fi
    while read -r lib path; do
        checked=$((checked + 1))
        if ! pkg=$(package_of "$path"); then
            echo "$(basename "$binary"): $lib ($path) belongs to no Debian package; the image cannot install it" >&2
            missing=1
            continue
        fi
        pkg=${pkg%%,*}
        if grep -qxF "$pkg" <<<"$installed"; then
            continue
        fi
        if [[ -n ${base[$pkg]:-} ]]; then
            continue
        fi
        echo "$(basename "$binary"): links $lib from package $pkg, which the runtime stage of $containerfile does not install" >&2
        missing=1
    done < <(ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }')
done

if [[ $checked -eq 0 ]]; then
    echo "ldd listed no libraries for $*" >&2
    exit 1
fi
if [[ $missing -ne 0 ]]; then
    exit 1
fi
echo "ok: $checked libraries of $# binaries, each from a package the runtime stage installs or the base image has"
