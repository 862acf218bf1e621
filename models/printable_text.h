// Bytes of a user's file shown inside a one-line error message.
//
// Models: text that may be anything (binary junk, invalid UTF-8, control bytes) cut to a length
// and escaped so that printing the message can neither garble a terminal nor break the one-line
// rule: printable ASCII and valid UTF-8 sequences are kept, every other byte becomes \xNN.
// Ignores: display width (a cut counts bytes, not columns) and Unicode properties beyond the
// validity of the encoding (a valid but invisible code point is kept).
// It sits at the bottom of the layering beside input_error.h: every reader of user files uses it.
#ifndef SERVESIM_MODELS_PRINTABLE_TEXT_H_
#define SERVESIM_MODELS_PRINTABLE_TEXT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace servesim {

// Length of the valid UTF-8 sequence of 2-4 bytes starting at text[i], or 0 (an ASCII byte, a
// continuation byte, an overlong form, a surrogate, a code point above U+10FFFF or a cut sequence).
// Requires i < text.size().
size_t Utf8SequenceLength(std::string_view text, size_t i);

// `text` cut to `max_bytes` (with "..." when cut) for a one-line message: control bytes and bytes
// that are not valid UTF-8 are written as \xNN. A sequence that starts before the cut is kept
// whole.
std::string PrintableBytes(std::string_view text, size_t max_bytes);

// PrintableBytes(text, 60) in single quotes: how messages show a value found in a file.
std::string QuoteBytes(std::string_view text);

}  // namespace servesim

#endif  // SERVESIM_MODELS_PRINTABLE_TEXT_H_
