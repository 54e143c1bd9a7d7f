// xml_text.cc: escaping arbitrary bytes for XML 1.0 (see xml_text.h).

#include "lockharness/harness/report/xml_text.h"

#include <cstdint>

namespace lockharness::harness::report {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed UTF-8 sequence starting at text[i] that XML
// allows, or 0 if the byte there does not start one. ASCII is handled by
// the caller.
size_t ValidSequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t code = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code = lead & 0x1F;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code = lead & 0x0F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code = lead & 0x07;
  } else {
    return 0;  // a continuation byte, an overlong lead (C0, C1) or F5..FF
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates, beyond U+10FFFF, and the two
  // non-characters XML excludes.
  if ((length == 3 && code < 0x800) || (length == 4 && code < 0x10000)) return 0;
  if (code >= 0xD800 && code <= 0xDFFF) return 0;
  if (code > 0x10FFFF || code == 0xFFFE || code == 0xFFFF) return 0;
  return length;
}

void AppendControl(unsigned char c, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->append("\\x");
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 0xF]);
}

}  // namespace

void AppendXmlEscaped(std::string_view text, XmlContext context, std::string* out) {
  const bool attribute = context == XmlContext::kAttribute;
  out->reserve(out->size() + text.size());
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = ValidSequenceLength(text, i);
      if (length == 0) {
        out->append(kReplacement);
        ++i;
      } else {
        out->append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '&': out->append("&amp;"); break;
      case '<': out->append("&lt;"); break;
      case '>': out->append("&gt;"); break;
      case '"': out->append(attribute ? "&quot;" : "\""); break;
      case '\'': out->append(attribute ? "&apos;" : "'"); break;
      case '\t': out->append(attribute ? "&#9;" : "\t"); break;
      case '\n': out->append(attribute ? "&#10;" : "\n"); break;
      case '\r': out->append("&#13;"); break;  // a parser would drop a raw CR
      default:
        if (c < 0x20 || c == 0x7F) {
          AppendControl(c, out);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
}

std::string XmlEscape(std::string_view text, XmlContext context) {
  std::string out;
  AppendXmlEscaped(text, context, &out);
  return out;
}

}  // namespace lockharness::harness::report
