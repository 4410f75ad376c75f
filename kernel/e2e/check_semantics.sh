#!/usr/bin/env bash
# The e2e verdict on the semantics suite run through the module (verdict.sh
# calls it): the guest's "SEM " lines (vmxbctl semantics) against the boot
# image's lines on the same Bochs model (e2e_bochs_test.sh runs
# `bench --backend=bochs --semantics`; testdata/ holds a recorded copy).
#   check_semantics.sh SERIAL_TXT IMAGE_LINES
# Passes only if the module's SUMMARY counts its own lines and 0 failures, it
# ran the image's cases in the image's order, and each case's verdict (PASS,
# SKIP, KNOWN, OBSERVED) is the image's, except the cases listed below, which
# the module must SKIP (with a reason) where the image runs them.
# Exit 0 pass, 1 fail (one line per reason on stderr).
set -uo pipefail
serial=$1 image=$2
say() { echo "e2e semantics: $*" >&2; }

# What a live kernel does not run (kernel/module/semantics_platform.cc), by reason.
# Code at CPL 3 and in compatibility mode needs the image's own GDT, TSS and IDT:
module_skips="cpl3_stub_runs_to_its_end compatibility_mode_stub_runs_to_its_end
vmxon_gp_at_cpl3 vmxoff_gp_at_cpl3 vmclear_gp_at_cpl3 vmptrld_gp_at_cpl3 vmptrst_gp_at_cpl3
vmread_gp_at_cpl3 vmwrite_gp_at_cpl3 invept_gp_at_cpl3 invvpid_gp_at_cpl3
vmptrst_ud_in_compatibility_mode vmread_ud_in_compatibility_mode vmxoff_ud_in_compatibility_mode
invept_ud_in_compatibility_mode"
# A CR0 bit flipped against the VMX fixed bits would be seen by NMI handlers
# (the CR4 case SKIPs in the image too: no such CR4 bit on this model):
module_skips="$module_skips vmxon_gp_cr0_violates_fixed_bits"
# A #PF on an address SMAP protects oopses despite a fixup:
module_skips="$module_skips vmptrld_unmapped_operand_pf"
# The guest cases run through the module too (module_guest.h): none listed.

status=0
module_lines=$(sed -n 's/^SEM //p' "$serial" | grep -v '^SEMANTICS ')
if [ -z "$module_lines" ]; then
  say "no 'SEM ' lines: the module's semantics suite did not run"
  exit 1
fi
[ -s "$image" ] || { say "no image lines in $image"; exit 1; }
# "VERDICT NAME" per case, in order.
cases() { sed -n -E 's/^(PASS|FAIL|SKIP|KNOWN|OBSERVED): ([A-Za-z0-9_]+)(:.*)?$/\1 \2/p'; }
module_cases=$(echo "$module_lines" | cases)
image_cases=$(cases < "$image")

summary=$(echo "$module_lines" | grep '^SUMMARY: ')
counts() {  # tests failures skipped known of a SUMMARY line
  echo "$1" | sed -n -E 's/^SUMMARY: ([0-9]+) tests, ([0-9]+) failures, ([0-9]+) skipped, ([0-9]+) known$/\1 \2 \3 \4/p'
}
read -r tests failures skipped known <<< "$(counts "$summary")"
if [ -z "${tests:-}" ]; then
  say "the module printed no SUMMARY line"
  status=1
else
  n() { echo "$module_cases" | grep -c "^$1 " || true; }
  # OBSERVED counts as a test only; the suite's counters are check.cc's.
  own="$(echo "$module_cases" | grep -c . ) $(n FAIL) $(n SKIP) $(n KNOWN)"
  if [ "$tests $failures $skipped $known" != "$own" ]; then
    say "the module's SUMMARY ($tests $failures $skipped $known) does not count its own lines ($own)"
    status=1
  fi
  [ "$failures" = 0 ] || { say "the module's suite has $failures failure(s)"; status=1; }
  read -r image_tests _ <<< "$(counts "$(grep '^SUMMARY: ' "$image")")"
  [ "$tests" = "${image_tests:-}" ] || { say "the module ran $tests cases, the image ${image_tests:-?}"; status=1; }
fi
if [ "$(echo "$module_cases" | cut -d' ' -f2)" != "$(echo "$image_cases" | cut -d' ' -f2)" ]; then
  say "the module's cases are not the image's, in the image's order:"
  diff <(echo "$image_cases" | cut -d' ' -f2) <(echo "$module_cases" | cut -d' ' -f2) | head -n 10 >&2
  status=1
fi

# Case by case.
same=0 skipped_here=0
declare -A image_verdict
while read -r v name; do image_verdict[$name]=$v; done <<< "$image_cases"
listed() { case " $(echo $module_skips) " in *" $1 "*) return 0 ;; esac; return 1; }
while read -r v name; do
  [ -n "$name" ] || continue
  want=${image_verdict[$name]:-absent}
  if listed "$name"; then
    line=$(echo "$module_lines" | grep -m1 -E "^SKIP: $name: .+")
    if [ "$v" != SKIP ] || [ -z "$line" ]; then
      say "$name: the module should SKIP it with a reason (listed), got $v"
      status=1
    elif [ "$want" = SKIP ]; then
      say "$name: listed as a module-only SKIP, but the image skips it too: drop it from the list"
      status=1
    else
      skipped_here=$((skipped_here + 1))
    fi
  elif [ "$v" != "$want" ]; then
    say "$name: module $v, image $want: $(echo "$module_lines" | grep -m1 -E "^[A-Z]+: $name(:|$)" | cut -c1-200)"
    status=1
  else
    same=$((same + 1))
  fi
done <<< "$module_cases"
for name in $module_skips; do
  grep -q " $name$" <<< "$module_cases" || { say "$name: listed, but the module printed no such case"; status=1; }
done
echo "e2e semantics: $same cases as the image, $skipped_here module-only SKIPs (listed), summary: ${summary:-none}" >&2
exit $status
