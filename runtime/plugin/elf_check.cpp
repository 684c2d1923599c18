#include "runtime/plugin/elf_check.hpp"

#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

namespace swfrt::runtime::plugin {
namespace {

using ehdr = ElfW(Ehdr);
using phdr = ElfW(Phdr);
using shdr = ElfW(Shdr);
using elf_sym = ElfW(Sym);

#if __ELF_NATIVE_CLASS == 64
constexpr unsigned char native_class = ELFCLASS64;
constexpr int native_bits = 64;
unsigned symbol_type(unsigned char info) {
    return ELF64_ST_TYPE(info);
}
#else
constexpr unsigned char native_class = ELFCLASS32;
constexpr int native_bits = 32;
unsigned symbol_type(unsigned char info) {
    return ELF32_ST_TYPE(info);
}
#endif
constexpr unsigned char native_data = std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;

std::string machine_name(unsigned machine) {
    switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "AArch64";
    case EM_386: return "i386";
    case EM_ARM: return "ARM";
    case EM_RISCV: return "RISC-V";
    case EM_PPC64: return "PowerPC 64";
    case EM_PPC: return "PowerPC";
    case EM_S390: return "s390";
    case EM_MIPS: return "MIPS";
    case EM_LOONGARCH: return "LoongArch";
    case EM_SPARCV9: return "SPARC V9";
    }
    return "machine type " + std::to_string(machine);
}

// The machine this process runs: known at compile time on the usual
// targets, else read from the executable itself.
unsigned native_machine() {
#if defined(__x86_64__)
    return EM_X86_64;
#elif defined(__aarch64__)
    return EM_AARCH64;
#elif defined(__i386__)
    return EM_386;
#elif defined(__arm__)
    return EM_ARM;
#elif defined(__riscv)
    return EM_RISCV;
#elif defined(__powerpc64__)
    return EM_PPC64;
#elif defined(__s390__)
    return EM_S390;
#else
    static const unsigned machine = [] {
        ehdr self{};
        const int fd = ::open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            if (::pread(fd, &self, sizeof self, 0) != static_cast<ssize_t>(sizeof self))
                self.e_machine = EM_NONE;
            ::close(fd);
        }
        return static_cast<unsigned>(self.e_machine);
    }();
    return machine;
#endif
}

std::string segment_name(std::uint32_t type) {
    switch (type) {
    case PT_LOAD: return "PT_LOAD";
    case PT_DYNAMIC: return "PT_DYNAMIC";
    case PT_INTERP: return "PT_INTERP";
    case PT_NOTE: return "PT_NOTE";
    case PT_PHDR: return "PT_PHDR";
    case PT_TLS: return "PT_TLS";
    case PT_GNU_EH_FRAME: return "PT_GNU_EH_FRAME";
    case PT_GNU_RELRO: return "PT_GNU_RELRO";
    case PT_GNU_PROPERTY: return "PT_GNU_PROPERTY";
    }
    return "type " + std::to_string(type);
}

std::string type_name(unsigned type) {
    switch (type) {
    case ET_EXEC: return "an executable";
    case ET_REL: return "a relocatable object (.o)";
    case ET_CORE: return "a core dump";
    }
    return "ELF type " + std::to_string(type);
}

// Whether [offset, offset + length) lies inside a file of `size` bytes.
bool inside(std::uint64_t offset, std::uint64_t length, std::uint64_t size) {
    return offset <= size && length <= size - offset;
}

std::string bytes(std::uint64_t n) {
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

class fd_guard {
public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) ::close(fd_);
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;

private:
    int fd_;
};

bool read_at(int fd, void* out, std::size_t n, std::uint64_t offset) {
    auto* p = static_cast<char*>(out);
    while (n > 0) {
        const ssize_t got = ::pread(fd, p, n, static_cast<off_t>(offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return false;
        p += got;
        n -= static_cast<std::size_t>(got);
        offset += static_cast<std::uint64_t>(got);
    }
    return true;
}

struct segment_probe {
    std::uintptr_t address;
    bool found = false;
    bool executable = false;
};

int find_segment(dl_phdr_info* info, std::size_t, void* data) {
    auto* probe = static_cast<segment_probe*>(data);
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
        const auto& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_LOAD) continue;
        const std::uintptr_t start = info->dlpi_addr + ph.p_vaddr;
        if (probe->address >= start && probe->address - start < ph.p_memsz) {
            probe->found = true;
            probe->executable = (ph.p_flags & PF_X) != 0;
            return 1;
        }
    }
    return 0;
}

} // namespace

std::optional<std::string> elf_problem(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return std::string(std::strerror(errno));
    fd_guard guard(fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0) return std::string(std::strerror(errno));
    if (!S_ISREG(st.st_mode)) return std::string("not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);

    ehdr h{};
    if (size < SELFMAG || !read_at(fd, h.e_ident, SELFMAG, 0) || std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
        return std::string("not an ELF file: it does not start with \\x7f ELF");
    if (size < sizeof h)
        return "the file is cut short: " + bytes(size) + ", less than the " + bytes(sizeof h) +
               " of the ELF header";
    if (!read_at(fd, &h, sizeof h, 0))
        return "cannot read the ELF header: " + std::string(std::strerror(errno));
    if (h.e_ident[EI_CLASS] != native_class)
        return std::string(h.e_ident[EI_CLASS] == ELFCLASS32   ? "a 32-bit"
                           : h.e_ident[EI_CLASS] == ELFCLASS64 ? "a 64-bit"
                                                               : "an unknown class of") +
               " ELF file; this swf-runtime is " + std::to_string(native_bits) + "-bit";
    if (h.e_ident[EI_DATA] != native_data)
        return std::string("an ELF file of the other byte order (") +
               (h.e_ident[EI_DATA] == ELFDATA2MSB ? "big-endian" : "not little-endian") + ")";
    if (h.e_machine != native_machine())
        return "built for " + machine_name(h.e_machine) + "; this swf-runtime runs on " +
               machine_name(native_machine());
    if (h.e_type != ET_DYN) return type_name(h.e_type) + ", not a shared library";

    // The program headers, and every segment they name, must be in the file:
    // the loader maps them, and touching a page past the end is a SIGBUS.
    if (h.e_phnum == 0 || h.e_phnum == PN_XNUM) return std::string("no usable program header table");
    if (h.e_phentsize != sizeof(phdr))
        return "program header entries of " + bytes(h.e_phentsize) + ", expected " + bytes(sizeof(phdr));
    const std::uint64_t ph_bytes = std::uint64_t{h.e_phnum} * sizeof(phdr);
    if (!inside(h.e_phoff, ph_bytes, size))
        return "the file is cut short: its program header table (" + bytes(ph_bytes) + " at byte " +
               std::to_string(h.e_phoff) + ") ends past the end of the file (" + bytes(size) + ")";
    std::vector<phdr> segments(h.e_phnum);
    if (!read_at(fd, segments.data(), ph_bytes, h.e_phoff))
        return "cannot read the program headers: " + std::string(std::strerror(errno));
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& s = segments[i];
        if (s.p_filesz == 0) continue;
        if (!inside(s.p_offset, s.p_filesz, size))
            return "the file is cut short: segment " + std::to_string(i) + " (" + segment_name(s.p_type) +
                   ", " + bytes(s.p_filesz) + " at byte " + std::to_string(s.p_offset) +
                   ") ends past the end of the file (" + bytes(size) + ")";
    }

    // The section header table is not loaded, but it is the last thing a
    // linker writes: a file cut anywhere loses it.
    if (h.e_shoff != 0) {
        if (h.e_shentsize != sizeof(shdr))
            return "section header entries of " + bytes(h.e_shentsize) + ", expected " + bytes(sizeof(shdr));
        // e_shnum 0 with a table: the count is in the first entry (more than 65279 sections).
        const std::uint64_t count = h.e_shnum == 0 ? 1 : h.e_shnum;
        const std::uint64_t sh_bytes = count * sizeof(shdr);
        if (!inside(h.e_shoff, sh_bytes, size))
            return "the file is cut short: its section header table (" + bytes(sh_bytes) + " at byte " +
                   std::to_string(h.e_shoff) + ") ends past the end of the file (" + bytes(size) + ")";
    }
    return std::nullopt;
}

std::optional<std::string> function_problem(const void* address) {
    Dl_info info{};
    void* extra = nullptr; // RTLD_DL_SYMENT: the ElfW(Sym) of the symbol found
    const elf_sym* sym = nullptr;
    if (::dladdr1(address, &info, &extra, RTLD_DL_SYMENT) != 0) sym = static_cast<const elf_sym*>(extra);
    if (sym) {
        const unsigned type = symbol_type(sym->st_info);
        if (type != STT_FUNC && type != STT_GNU_IFUNC) {
            switch (type) {
            case STT_OBJECT: return std::string("a data symbol (STT_OBJECT), not a function");
            case STT_TLS: return std::string("a thread-local data symbol (STT_TLS), not a function");
            case STT_COMMON: return std::string("a common data symbol (STT_COMMON), not a function");
            case STT_NOTYPE: return std::string("a symbol without a type (STT_NOTYPE), not a function");
            }
            return "a symbol of type " + std::to_string(type) + ", not a function";
        }
    }
    // A symbol typed as a function may still point anywhere.
    segment_probe probe{reinterpret_cast<std::uintptr_t>(address)};
    ::dl_iterate_phdr(find_segment, &probe);
    if (!probe.found) return std::string("a symbol whose address lies in no loaded segment");
    if (!probe.executable) return std::string("a symbol in a segment that is not executable");
    return std::nullopt;
}

} // namespace swfrt::runtime::plugin
