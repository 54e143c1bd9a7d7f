#include "lockharness/harness/report/xml_text.h"

#include <gtest/gtest.h>

namespace lockharness::harness::report {
namespace {

TEST(XmlEscapeTest, EscapesMarkupInText) {
  EXPECT_EQ(XmlEscape("a<b>&\"c\"'d'", XmlContext::kText), "a&lt;b&gt;&amp;\"c\"'d'");
  EXPECT_EQ(XmlEscape("]]>", XmlContext::kText), "]]&gt;");
}

TEST(XmlEscapeTest, EscapesQuotesAndWhitespaceInAttributes) {
  EXPECT_EQ(XmlEscape("say \"hi\" & 'bye'", XmlContext::kAttribute),
            "say &quot;hi&quot; &amp; &apos;bye&apos;");
  EXPECT_EQ(XmlEscape("a\tb\nc\rd", XmlContext::kAttribute), "a&#9;b&#10;c&#13;d");
  EXPECT_EQ(XmlEscape("a\tb\nc\rd", XmlContext::kText), "a\tb\nc&#13;d");
}

TEST(XmlEscapeTest, WritesControlCharactersAsVisibleText) {
  // XML 1.0 has no way to carry these, not even as &#1;.
  EXPECT_EQ(XmlEscape(std::string_view("a\x01"
                                       "b\x1f"
                                       "c\x7f"
                                       "\0",
                                       7),
                      XmlContext::kText),
            "a\\x01b\\x1fc\\x7f\\x00");
}

TEST(XmlEscapeTest, KeepsValidUtf8) {
  const std::string text = "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\x92";  // café € 🔒
  EXPECT_EQ(XmlEscape(text, XmlContext::kText), text);
  EXPECT_EQ(XmlEscape(text, XmlContext::kAttribute), text);
}

TEST(XmlEscapeTest, ReplacesEachInvalidUtf8ByteWithReplacementCharacter) {
  const std::string fffd = "\xEF\xBF\xBD";
  EXPECT_EQ(XmlEscape("a\xFF"
                      "b",
                      XmlContext::kText),
            "a" + fffd + "b");
  EXPECT_EQ(XmlEscape("\x80", XmlContext::kText), fffd);             // lone continuation
  EXPECT_EQ(XmlEscape("\xC3", XmlContext::kText), fffd);             // truncated
  EXPECT_EQ(XmlEscape("\xC0\xAF", XmlContext::kText), fffd + fffd);  // overlong '/'
  EXPECT_EQ(XmlEscape("\xE0\x80\xAF", XmlContext::kText), fffd + fffd + fffd);
  EXPECT_EQ(XmlEscape("\xED\xA0\x80", XmlContext::kText), fffd + fffd + fffd);  // surrogate
  EXPECT_EQ(XmlEscape("\xEF\xBF\xBE", XmlContext::kText), fffd + fffd + fffd);  // U+FFFE
  EXPECT_EQ(XmlEscape("\xF4\x90\x80\x80", XmlContext::kText),
            fffd + fffd + fffd + fffd);  // beyond U+10FFFF
  EXPECT_EQ(XmlEscape("\xC3\xA9\xC3", XmlContext::kText), "\xC3\xA9" + fffd);
}

TEST(XmlEscapeTest, AppendsToExistingText) {
  std::string out = "x=";
  AppendXmlEscaped("<", XmlContext::kAttribute, &out);
  EXPECT_EQ(out, "x=&lt;");
}

}  // namespace
}  // namespace lockharness::harness::report
