// libFuzzer target for the response decoder: arbitrary bytes as the body of
// the responses a worker decodes most (history pages, decision and activity
// tasks) and as an error body. Besides crashes and UB it traps when a value
// that decoded does not survive encode -> decode unchanged (an enum value
// unknown to this SDK included: its text is kept and written back).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "swf/client/faults.hpp"
#include "swf/codec/codec.hpp"
#include "swf/model/model.hpp"

namespace {

using namespace swfrt::swf;

void check(bool ok) {
    if (!ok) __builtin_trap();
}

template <class T>
void round_trip(std::string_view input) {
    auto first = codec::decode<T>(input);
    if (!first) {
        check(!first.error().message.empty());
        return;
    }
    std::string encoded = codec::encode(*first);
    auto second = codec::decode<T>(encoded, codec::decode_options{.strict = true});
    if (!second) {
        // An enum value this SDK does not know is written back as it came,
        // and strict decoding refuses it (and only it).
        check(second.error().message.find(" value '") != std::string::npos);
        second = codec::decode<T>(encoded);
    }
    check(second.has_value());
    check(*second == *first);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    // The first byte picks the shape, the rest is the document.
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
    case 0: round_trip<model::history>(input); break;
    case 1: round_trip<model::decision_task>(input); break;
    case 2: round_trip<model::activity_task>(input); break;
    case 3: round_trip<model::respond_decision_task_completed_input>(input); break;
    default: {
        auto e = client::decode_fault(400 + data[0] % 200, input);
        check(!e.code.empty() && !e.message.empty());
        check(e.code.find('#') == std::string::npos);
        break;
    }
    }
    return 0;
}
