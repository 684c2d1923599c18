#include "swf/client/paginate.hpp"

#include "swf/client/roles.hpp"

#include <iterator>
#include <type_traits>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace swfrt::swf::client {
namespace {

template <class In, class Out, class Items, class Fetch>
boost::asio::awaitable<result<Out>> collect(In request, Items Out::*items, std::size_t max_pages, std::string_view op,
                                            Fetch fetch) {
    Out merged{};
    // The items of later pages, moved into the first page's list once, at
    // the end, with its size known (history events are large to move).
    std::vector<Items> later;
    std::unordered_set<std::string> seen;
    // Memory is bounded whatever the peer sends: a history by SWF's own
    // event limit (with a margin), any other list by max_items.
    const std::size_t item_limit = std::is_same_v<Items, std::vector<model::history_event>> ? history_limits{}.max_events
                                                                                             : max_items;
    std::size_t count = 0;
    for (std::size_t pages = 1;; ++pages) {
        auto page = co_await fetch(request);
        if (!page) co_return std::move(page).error();
        std::optional<std::string> next = std::move(page->next_page_token);
        count += ((*page).*items).size();
        if (count > item_limit)
            co_return make_error(error_kind::fatal, "PaginationLimit",
                                 std::string(op) + " returned more than " + std::to_string(item_limit) +
                                     " items in " + std::to_string(pages) + " pages; stopping");
        if (pages == 1) {
            merged = std::move(*page);
        } else {
            later.push_back(std::move((*page).*items));
        }
        merged.next_page_token.reset();
        if (!next || next->empty()) {
            auto& dst = merged.*items;
            std::size_t total = dst.size();
            for (const auto& l : later)
                total += l.size();
            dst.reserve(total);
            for (auto& l : later)
                dst.insert(dst.end(), std::make_move_iterator(l.begin()), std::make_move_iterator(l.end()));
            co_return merged;
        }
        if (!seen.insert(*next).second)
            co_return make_error(error_kind::fatal, "PaginationLoop",
                                 std::string(op) + " returned a nextPageToken it had already returned (after " +
                                     std::to_string(pages) + " pages); stopping instead of looping");
        if (pages >= max_pages)
            co_return make_error(error_kind::fatal, "PaginationLoop",
                                 std::string(op) + " still had more pages after " + std::to_string(pages) +
                                     " pages, the limit");
        request.next_page_token = std::move(next);
    }
}

} // namespace

#define SWFRT_X(api, snake, in, out, member)                                                                      \
    boost::asio::awaitable<result<model::out>> snake##_all_pages(client& c, model::in request,                    \
                                                                 std::size_t max_pages) {                         \
        co_return co_await collect(std::move(request), &model::out::member, max_pages, #api,                      \
                                   [&c](model::in r) { return c.snake(std::move(r)); });                          \
    }
SWFRT_SWF_PAGINATORS(SWFRT_X)
#undef SWFRT_X

} // namespace swfrt::swf::client
