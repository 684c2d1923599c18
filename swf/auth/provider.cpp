#include "swf/redact.hpp"
#include "swf/auth/provider.hpp"

#include "swf/auth/container_provider.hpp"
#include "swf/auth/imds_provider.hpp"
#include "swf/auth/profile.hpp"

#include <simdjson.h>

#include <cctype>
#include <cstdint>
#include <utility>

namespace swfrt::swf::auth {

namespace {

error auth_error(std::string_view code, std::string message) {
    return make_error(error_kind::auth, std::string(code), std::move(message));
}

bool parse_digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    return true;
}

} // namespace

// ---------------------------------------------------------------- static

static_provider::static_provider(credentials creds) : creds_(std::move(creds)) {
    if (creds_.provider.empty()) creds_.provider = "static";
    remember_secret(creds_.secret_access_key);
    remember_secret(creds_.session_token);
}

boost::asio::awaitable<result<credentials>> static_provider::fetch() {
    if (creds_.access_key_id.empty() || creds_.secret_access_key.empty())
        co_return auth_error(invalid_credentials,
                             "static credentials need both an access key id and a secret key");
    co_return creds_;
}

// ---------------------------------------------------------------- environment

environment_provider::environment_provider(env_lookup env) : env_(std::move(env)) {}

result<credentials> environment_provider::load() const {
    auto id = env_value(env_, "AWS_ACCESS_KEY_ID");
    if (!id) id = env_value(env_, "AWS_ACCESS_KEY");
    auto secret = env_value(env_, "AWS_SECRET_ACCESS_KEY");
    if (!secret) secret = env_value(env_, "AWS_SECRET_KEY");
    if (!id && !secret) return auth_error(credentials_not_found, "AWS_ACCESS_KEY_ID is not set");
    if (!id)
        return auth_error(invalid_credentials, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    if (!secret)
        return auth_error(invalid_credentials, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");

    credentials c;
    c.access_key_id = std::move(*id);
    c.secret_access_key = std::move(*secret);
    if (auto token = env_value(env_, "AWS_SESSION_TOKEN")) c.session_token = std::move(*token);
    if (auto exp = env_value(env_, "AWS_CREDENTIAL_EXPIRATION")) {
        auto t = parse_iso8601(*exp);
        if (!t)
            return auth_error(invalid_credentials, "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 date-time");
        c.expiration = *t;
    }
    c.provider = "environment";
    return c;
}

boost::asio::awaitable<result<credentials>> environment_provider::fetch() {
    co_return load();
}

// ---------------------------------------------------------------- chain

chain_provider::chain_provider(std::vector<std::shared_ptr<credentials_provider>> providers)
    : providers_(std::move(providers)) {}

std::string chain_provider::current_provider() const {
    std::lock_guard lock(mutex_);
    if (!winner_) return {};
    return std::string(providers_[*winner_]->name());
}

boost::asio::awaitable<result<credentials>> chain_provider::fetch() {
    std::optional<std::size_t> winner;
    {
        std::lock_guard lock(mutex_);
        winner = winner_;
    }
    if (winner) co_return co_await providers_[*winner]->fetch();

    std::string tried;
    for (std::size_t i = 0; i < providers_.size(); ++i) {
        auto r = co_await providers_[i]->fetch();
        if (r) {
            std::lock_guard lock(mutex_);
            if (!winner_) winner_ = i;
            co_return r;
        }
        if (!tried.empty()) tried += "; ";
        tried += providers_[i]->name();
        tried += ": ";
        tried += r.error().message;
    }
    if (providers_.empty()) tried = "no providers configured";
    co_return auth_error(credentials_not_found, "no AWS credentials found (" + tried + ")");
}

std::shared_ptr<chain_provider> make_default_chain(boost::asio::any_io_executor executor, env_lookup env,
                                                   const clock& clk,
                                                   std::optional<std::string> profile_name) {
    std::vector<std::shared_ptr<credentials_provider>> providers;
    providers.push_back(std::make_shared<environment_provider>(env));
    providers.push_back(std::make_shared<profile_provider>(env, std::move(profile_name)));
    providers.push_back(std::make_shared<container_provider>(executor, env));
    providers.push_back(std::make_shared<imds_provider>(executor, env, clk));
    return std::make_shared<chain_provider>(std::move(providers));
}

// ---------------------------------------------------------------- parsing

std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);

    int y, mo, d, h, mi, sec;
    if (!parse_digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !parse_digits(s, 5, 2, mo) ||
        s[7] != '-' || !parse_digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !parse_digits(s, 11, 2, h) || s[13] != ':' || !parse_digits(s, 14, 2, mi) || s[16] != ':' ||
        !parse_digits(s, 17, 2, sec))
        return std::nullopt;
    // 60 is a leap second; clamp it like the SDKs' parsers do.
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
    if (sec == 60) sec = 59;

    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                          std::chrono::day{static_cast<unsigned>(d)}};
    if (!ymd.ok()) return std::nullopt;
    // The clock counts nanoseconds in 64 bits: about the years 1678 to 2262.
    // A later expiration means "not in our lifetime"; an earlier one is junk.
    if (y > 2200) return std::chrono::system_clock::time_point::max();
    if (y < 1700) return std::nullopt;

    std::size_t pos = 19;
    std::chrono::nanoseconds frac{0};
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        const std::size_t start = pos;
        std::int64_t ns = 0;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 9) {
                ns = ns * 10 + (s[pos] - '0');
                ++digits;
            }
            ++pos;
        }
        if (pos == start) return std::nullopt;
        for (; digits < 9; ++digits)
            ns *= 10;
        frac = std::chrono::nanoseconds{ns};
    }

    std::chrono::minutes offset{0};
    if (pos < s.size()) {
        if (s[pos] == 'Z' || s[pos] == 'z') {
            ++pos;
        } else if (s[pos] == '+' || s[pos] == '-') {
            const int sign = s[pos] == '-' ? -1 : 1;
            ++pos;
            int oh, om;
            if (!parse_digits(s, pos, 2, oh)) return std::nullopt;
            pos += 2;
            if (pos < s.size() && s[pos] == ':') ++pos;
            if (!parse_digits(s, pos, 2, om)) return std::nullopt;
            pos += 2;
            if (oh > 23 || om > 59) return std::nullopt;
            offset = std::chrono::minutes{sign * (oh * 60 + om)};
        } else {
            return std::nullopt;
        }
    }
    if (pos != s.size()) return std::nullopt;

    auto tp = std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
              std::chrono::seconds{sec} + frac - offset;
    return std::chrono::time_point_cast<std::chrono::system_clock::duration>(tp);
}

result<credentials> parse_credentials_json(std::string_view json, std::string_view token_member,
                                           std::string_view provider) {
    const std::string where(provider);
    auto bad = [&](std::string why) { return auth_error(invalid_credentials, where + ": " + why); };

    simdjson::ondemand::parser parser;
    simdjson::padded_string padded(json);
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    if (parser.iterate(padded).get(doc) || doc.get_object().get(obj))
        return bad("the response is not a JSON object");

    credentials c;
    std::optional<std::int64_t> version;
    std::optional<std::string> expiration;
    std::optional<std::string> code;
    for (auto field_result : obj) {
        simdjson::ondemand::field field;
        std::string_view key;
        if (std::move(field_result).get(field) || field.unescaped_key().get(key))
            return bad("the response is not valid JSON");
        std::string* target = nullptr;
        std::string expiration_text, code_text;
        if (key == "AccessKeyId")
            target = &c.access_key_id;
        else if (key == "SecretAccessKey")
            target = &c.secret_access_key;
        else if (key == token_member)
            target = &c.session_token;
        else if (key == "Expiration")
            target = &expiration_text;
        else if (key == "Code")
            target = &code_text;
        if (key == "Version") {
            std::int64_t v;
            if (field.value().get_int64().get(v)) return bad("Version must be a number");
            version = v;
        } else if (target != nullptr) {
            std::string_view v;
            if (field.value().get_string().get(v)) return bad(std::string(key) + " must be a string");
            target->assign(v);
            if (key == "Expiration") expiration = std::move(expiration_text);
            if (key == "Code") code = std::move(code_text);
        }
    }
    // On-Demand validates lazily: anything left after the object is garbage.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
        return bad("the response is not valid JSON");

    if (token_member == "SessionToken") {
        if (!version) return bad("missing Version (expected 1)");
        if (*version != 1) return bad("unsupported Version " + std::to_string(*version) + " (expected 1)");
    }
    // IMDS reports failures in a Code member with an HTTP 200.
    if (code && *code != "Success") {
        if (code->size() > 64) code->resize(64);
        return bad("the credentials endpoint answered Code '" + *code + "'");
    }
    if (c.access_key_id.empty()) return bad("missing AccessKeyId");
    if (c.secret_access_key.empty()) return bad("missing SecretAccessKey");
    if (expiration) {
        auto t = parse_iso8601(*expiration);
        if (!t) return bad("Expiration is not an ISO 8601 date-time");
        c.expiration = *t;
    }
    c.provider = where;
    return c;
}

} // namespace swfrt::swf::auth
