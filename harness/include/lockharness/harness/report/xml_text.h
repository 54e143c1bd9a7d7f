// xml_text.h: text made safe for XML 1.0 (and HTML) documents.
//
// Run reports quote whatever an implementation printed, so the text may hold
// markup characters, control bytes or bytes that are not UTF-8. XmlEscape()
// turns any byte string into well-formed character data or attribute
// content:
//   &  <  >  "  '            become entity references;
//   tab, LF, CR              are kept in text, and written as &#9; &#10;
//                            &#13; in attributes (whose newlines a parser
//                            would otherwise fold into spaces);
//   other C0 controls, DEL   are not allowed in XML 1.0 at all, even as
//                            references, and become the visible text
//                            "\x01" (a backslash, x, two hex digits);
//   bytes that are not UTF-8 (and encoded surrogates, U+FFFE, U+FFFF)
//                            become U+FFFD, one per offending byte.
//
//   std::string xml = "<case name=\"" + XmlEscape(name, XmlContext::kAttribute) + "\">";

#ifndef LOCKHARNESS_HARNESS_REPORT_XML_TEXT_H_
#define LOCKHARNESS_HARNESS_REPORT_XML_TEXT_H_

#include <string>
#include <string_view>

namespace lockharness::harness::report {

enum class XmlContext { kText, kAttribute };

// Never fails: every input has an escaped form.
std::string XmlEscape(std::string_view text, XmlContext context);

// Appends XmlEscape(text, context) to *out. REQUIRES: out != nullptr.
void AppendXmlEscaped(std::string_view text, XmlContext context, std::string* out);

}  // namespace lockharness::harness::report

#endif  // LOCKHARNESS_HARNESS_REPORT_XML_TEXT_H_
