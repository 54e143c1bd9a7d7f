// json_text.h: the JSON text that both line writers of the preload library
// append (trace lines, trace_line.cc; crash-record lines, crash_record.cc):
// raw text, integers and string literals, without allocating (they run
// inside arbitrary programs, in signal handlers too).
//
// A writer derives from JsonText<Writer> and supplies `void Put(char)`,
// which decides what happens when its line is full:
//   class LineBuilder : public JsonText<LineBuilder> {
//     friend class JsonText<LineBuilder>;
//     void Put(char c);
//   };

#ifndef LOCKHARNESS_INTERPOSER_SRC_JSON_TEXT_H_
#define LOCKHARNESS_INTERPOSER_SRC_JSON_TEXT_H_

namespace lockharness::interposer {

template <typename Writer>
class JsonText {
 public:
  void Raw(const char* s) {
    while (*s != '\0') Put(*s++);
  }

  void Int(long long value) {
    char tmp[24];
    int n = 0;
    unsigned long long magnitude =
        value < 0 ? 0ull - static_cast<unsigned long long>(value)
                  : static_cast<unsigned long long>(value);
    do {
      tmp[n++] = static_cast<char>('0' + magnitude % 10);
      magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0) Put('-');
    while (n > 0) Put(tmp[--n]);
  }

  // A JSON string literal; control characters, quotes and backslashes are
  // escaped, other bytes are copied as they are. A null pointer is "".
  void String(const char* s) {
    static constexpr char kHex[] = "0123456789abcdef";
    Put('"');
    for (; s != nullptr && *s != '\0'; ++s) {
      auto c = static_cast<unsigned char>(*s);
      if (c == '"' || c == '\\') {
        Put('\\');
        Put(static_cast<char>(c));
      } else if (c < 0x20) {
        Raw("\\u00");
        Put(kHex[c >> 4]);
        Put(kHex[c & 0xf]);
      } else {
        Put(static_cast<char>(c));
      }
    }
    Put('"');
  }

 private:
  void Put(char c) { static_cast<Writer*>(this)->Put(c); }
};

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_SRC_JSON_TEXT_H_
