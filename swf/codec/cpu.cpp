// Compiled without the codec's instruction set, so that the check itself
// runs anywhere.
#include "swf/codec/codec.hpp"

namespace swfrt::swf::codec {

bool cpu_supported() noexcept {
#if defined(SWFRT_SIMD_haswell)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
#elif defined(SWFRT_SIMD_westmere)
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("popcnt");
#else
    return true;
#endif
}

std::string_view cpu_requirement() noexcept {
#if defined(SWFRT_SIMD_haswell)
    return "haswell";
#elif defined(SWFRT_SIMD_westmere)
    return "westmere";
#else
    return "none";
#endif
}

} // namespace swfrt::swf::codec
