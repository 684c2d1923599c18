// The 39 SWF operations as values: names in API spelling and kebab-case.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "swf/model/operations.hpp"

namespace swfrt::swf::client {

enum class operation {
#define SWFRT_X(api, snake, in, out) snake,
    SWFRT_SWF_OPERATIONS(SWFRT_X)
#undef SWFRT_X
};

inline constexpr std::array<std::string_view, model::operation_count> operation_names{
#define SWFRT_X(api, snake, in, out) #api,
    SWFRT_SWF_OPERATIONS(SWFRT_X)
#undef SWFRT_X
};

// "RegisterDomain"
std::string_view api_name(operation op) noexcept;
// "register-domain"
std::string kebab_name(operation op);
// Accepts the API spelling or kebab-case; nullopt for anything else.
std::optional<operation> operation_from_name(std::string_view name) noexcept;

// Long polls (PollForDecisionTask, PollForActivityTask) are held by SWF for
// up to 60 s and need a longer read timeout.
bool is_long_poll(operation op) noexcept;
// Operations whose output has a nextPageToken (the model's paginators).
bool is_paginated(operation op) noexcept;

} // namespace swfrt::swf::client
