// ELF inspection for CheckInterposable. The file is mapped, not read, so
// only the pages holding headers are touched (node is ~100 MB).

#include "lockharness/interposer/interpose_check.h"

#include <elf.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace lockharness::interposer {
namespace {

constexpr int kMaxScriptDepth = 4;

std::optional<std::string> FindOnPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path_env = getenv("PATH");
  std::stringstream dirs(path_env != nullptr ? path_env : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// A read-only mapping of a whole file; empty if it cannot be mapped.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                     MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const char*>(p);
        size_ = static_cast<size_t>(st.st_size);
      }
    }
    close(fd);
  }
  ~MappedFile() {
    if (data_ != nullptr) munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool ok() const { return data_ != nullptr; }
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

InterposeCheck Verdict(const std::string& program, bool ok,
                       std::string reason) {
  return InterposeCheck{ok, program, std::move(reason)};
}

// The facts about an ELF file that decide interposability.
struct ElfFacts {
  bool has_interp = false;
  bool has_dynamic = false;
  bool is_go = false;
  std::vector<std::string> needed;
};

// Parses ELF headers of either class. Returns an error message or "".
template <typename Ehdr, typename Phdr, typename Shdr, typename Dyn>
std::string ParseElf(std::string_view file, ElfFacts* facts) {
  auto in_bounds = [&](uint64_t offset, uint64_t size) {
    return offset <= file.size() && size <= file.size() - offset;
  };
  if (!in_bounds(0, sizeof(Ehdr))) return "truncated ELF header";
  Ehdr eh;
  std::memcpy(&eh, file.data(), sizeof(eh));

  std::vector<Phdr> phdrs;
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    uint64_t off = eh.e_phoff + uint64_t{i} * eh.e_phentsize;
    if (!in_bounds(off, sizeof(Phdr))) return "truncated program headers";
    Phdr ph;
    std::memcpy(&ph, file.data() + off, sizeof(ph));
    phdrs.push_back(ph);
  }
  // Virtual address -> file offset, through the PT_LOAD segments.
  auto file_offset = [&](uint64_t vaddr) -> std::optional<uint64_t> {
    for (const Phdr& ph : phdrs) {
      if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr &&
          vaddr < ph.p_vaddr + ph.p_filesz) {
        return vaddr - ph.p_vaddr + ph.p_offset;
      }
    }
    return std::nullopt;
  };

  const Phdr* dynamic = nullptr;
  for (const Phdr& ph : phdrs) {
    if (ph.p_type == PT_INTERP) facts->has_interp = true;
    if (ph.p_type == PT_DYNAMIC) dynamic = &ph;
  }
  if (dynamic != nullptr && in_bounds(dynamic->p_offset, dynamic->p_filesz)) {
    facts->has_dynamic = true;
    std::vector<uint64_t> needed_offsets;
    uint64_t strtab = 0;
    for (uint64_t off = dynamic->p_offset;
         off + sizeof(Dyn) <= dynamic->p_offset + dynamic->p_filesz;
         off += sizeof(Dyn)) {
      Dyn dyn;
      std::memcpy(&dyn, file.data() + off, sizeof(dyn));
      if (dyn.d_tag == DT_NULL) break;
      if (dyn.d_tag == DT_NEEDED) needed_offsets.push_back(dyn.d_un.d_val);
      if (dyn.d_tag == DT_STRTAB) strtab = dyn.d_un.d_ptr;
    }
    std::optional<uint64_t> strtab_off = file_offset(strtab);
    for (uint64_t name_off : needed_offsets) {
      if (!strtab_off || !in_bounds(*strtab_off + name_off, 1)) continue;
      const char* name = file.data() + *strtab_off + name_off;
      facts->needed.emplace_back(
          name, strnlen(name, file.size() - (*strtab_off + name_off)));
    }
  }

  // Go binaries carry a .go.buildinfo section (and .note.go.buildid).
  if (eh.e_shnum > 0 && eh.e_shstrndx < eh.e_shnum) {
    uint64_t str_hdr = eh.e_shoff + uint64_t{eh.e_shstrndx} * eh.e_shentsize;
    if (in_bounds(str_hdr, sizeof(Shdr))) {
      Shdr strsec;
      std::memcpy(&strsec, file.data() + str_hdr, sizeof(strsec));
      for (unsigned i = 0; i < eh.e_shnum; ++i) {
        uint64_t off = eh.e_shoff + uint64_t{i} * eh.e_shentsize;
        if (!in_bounds(off, sizeof(Shdr))) break;
        Shdr sh;
        std::memcpy(&sh, file.data() + off, sizeof(sh));
        uint64_t name_off = strsec.sh_offset + sh.sh_name;
        if (!in_bounds(name_off, 1)) continue;
        const char* name = file.data() + name_off;
        size_t len = strnlen(name, file.size() - name_off);
        std::string section(name, len);
        if (section == ".go.buildinfo" || section == ".note.go.buildid") {
          facts->is_go = true;
        }
      }
    }
  }
  return "";
}

InterposeCheck JudgeElf(const std::string& program, std::string_view file) {
  ElfFacts facts;
  std::string error;
  if (file[EI_CLASS] == ELFCLASS64) {
    error =
        ParseElf<Elf64_Ehdr, Elf64_Phdr, Elf64_Shdr, Elf64_Dyn>(file, &facts);
  } else if (file[EI_CLASS] == ELFCLASS32) {
    error =
        ParseElf<Elf32_Ehdr, Elf32_Phdr, Elf32_Shdr, Elf32_Dyn>(file, &facts);
  } else {
    error = "unknown ELF class";
  }
  if (!error.empty()) return Verdict(program, false, "malformed ELF: " + error);
  if (!facts.has_interp) {
    return Verdict(program, false,
                   "statically linked (no program interpreter), so "
                   "LD_PRELOAD is never applied");
  }
  if (facts.is_go) {
    return Verdict(program, false,
                   "Go program: the Go runtime makes raw system calls that "
                   "bypass libc even when dynamically linked");
  }
  std::string libc;
  for (const std::string& name : facts.needed) {
    if (name.rfind("libc.so", 0) == 0) libc = name;
  }
  if (libc.empty()) {
    return Verdict(program, false,
                   "dynamically linked but not against libc (no libc.so in "
                   "DT_NEEDED), so its system calls do not go through libc");
  }
  return Verdict(program, true, "dynamically linked against " + libc);
}

InterposeCheck Check(const std::string& name, int depth) {
  std::optional<std::string> path = FindOnPath(name);
  if (!path) return Verdict(name, false, "not found on PATH");
  MappedFile mapped(*path);
  if (!mapped.ok()) {
    return Verdict(*path, false, "cannot read the file (or it is empty)");
  }
  std::string_view file = mapped.bytes();
  if (file.size() >= 2 && file[0] == '#' && file[1] == '!') {
    if (depth >= kMaxScriptDepth) {
      return Verdict(*path, false, "too many nested #! interpreters");
    }
    std::string line(file.substr(2, file.find('\n') - 2));
    std::istringstream words(line);
    std::string interpreter;
    std::string argument;
    words >> interpreter >> argument;
    if (interpreter.empty()) return Verdict(*path, false, "empty #! line");
    // "#!/usr/bin/env prog": the program that matters is prog.
    bool via_env = interpreter.size() >= 4 &&
                   interpreter.compare(interpreter.size() - 4, 4, "/env") == 0;
    if (via_env && !argument.empty() && argument[0] != '-') {
      return Check(argument, depth + 1);
    }
    return Check(interpreter, depth + 1);
  }
  if (file.size() < EI_NIDENT ||
      std::memcmp(file.data(), ELFMAG, SELFMAG) != 0) {
    return Verdict(*path, false, "not an ELF executable or #! script");
  }
  return JudgeElf(*path, file);
}

}  // namespace

InterposeCheck CheckInterposable(const std::string& program) {
  return Check(program, 0);
}

}  // namespace lockharness::interposer
