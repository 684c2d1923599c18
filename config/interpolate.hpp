// `${VAR}` / `${VAR:-default}` substitution in configuration values, with
// `$$` for a literal dollar sign.
#pragma once

#include "config/config.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace swfrt::config {

struct interpolation {
    std::optional<std::string> value; // set on success
    std::string error;                // what went wrong, when value is empty
};

// `${VAR}` needs VAR set (an empty value is kept); `${VAR:-text}` gives
// `text` when VAR is unset or empty. A `$` not followed by `{` or `$` is kept
// as written. Defaults are literal: they end at the first `}` and are not
// themselves interpolated. The result is never re-read as YAML.
interpolation interpolate(std::string_view text, const env_lookup& env);

} // namespace swfrt::config
