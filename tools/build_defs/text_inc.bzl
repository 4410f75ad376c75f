"""Turns a text file into a C++ raw string literal to #include (a textual_hdrs entry)."""

def text_inc(name, src, out, delimiter):
    """`out` holds R"delimiter(<src>)delimiter"; the build fails if src contains the closing sequence.

    Args:
      name: the genrule's name.
      src: the text file.
      out: the .inc file written.
      delimiter: the raw string's delimiter (at most 16 characters).
    """
    native.genrule(
        name = name,
        srcs = [src],
        outs = [out],
        cmd = ("if grep -qF '){d}\"' $<; then echo '$< contains )" + delimiter +
               "\": choose another delimiter' >&2; exit 1; fi; " +
               "(echo 'R\"{d}('; cat $<; echo '){d}\"') > $@").format(d = delimiter),
    )
