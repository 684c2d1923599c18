#include "swf/client/operation.hpp"

#include <cctype>

namespace swfrt::swf::client {

std::string_view api_name(operation op) noexcept { return operation_names[static_cast<std::size_t>(op)]; }

std::string kebab_name(operation op) {
    std::string out;
    for (char c : api_name(op)) {
        if (std::isupper(static_cast<unsigned char>(c))) {
            if (!out.empty()) out += '-';
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out;
}

std::optional<operation> operation_from_name(std::string_view name) noexcept {
    for (std::size_t i = 0; i < operation_names.size(); ++i) {
        auto op = static_cast<operation>(i);
        if (name == operation_names[i] || name == kebab_name(op)) return op;
    }
    return std::nullopt;
}

bool is_long_poll(operation op) noexcept {
    return op == operation::poll_for_decision_task || op == operation::poll_for_activity_task;
}

bool is_paginated(operation op) noexcept {
    switch (op) {
#define SWFRT_X(api, snake, in, out, member) case operation::snake:
        SWFRT_SWF_PAGINATORS(SWFRT_X)
#undef SWFRT_X
        return true;
    default:
        return false;
    }
}

} // namespace swfrt::swf::client
