#!/bin/sh
echo "bazel coverage is unavailable offline: remote_coverage_tools is a stand-in (third_party/bazel/README.md)" >&2
exit 1
