#include "workflow/decision_block.hpp"

namespace swfrt::workflow::detail {

bool decision_block::drop(const command_machine& m) {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->machine.get() == &m) {
            pending_.erase(it);
            return true;
        }
    }
    return false;
}

const command* decision_block::close() noexcept {
    open_ = false;
    return pending_.empty() ? nullptr : &pending_.front();
}

block_result decision_block::take(const swf::model::history_event& e) {
    if (!open_) return {block_match::outside_block, nullptr};
    auto history_key = key_of(e);
    if (!history_key) return {block_match::no_attributes, nullptr};
    if (pending_.empty()) return {block_match::nothing_issued, nullptr};
    if (!same_command(*history_key, key_of(pending_.front().decision))) return {block_match::differs, nullptr};
    auto machine = std::move(pending_.front().machine);
    pending_.pop_front();
    return {block_match::matched, std::move(machine)};
}

} // namespace swfrt::workflow::detail
