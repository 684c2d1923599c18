// RecordMarker's lifecycle (side effects and versions are markers too;
// the engine reads their values ahead, see engine::read_next_marker):
//
//   created --MarkerRecorded--> recorded
//   created --RecordMarkerFailed--> failed
#include "workflow/engine.hpp"
#include "workflow/machines/commands.hpp"

namespace swfrt::workflow::detail {

namespace model = swf::model;
using et = model::event_type;
using s = marker_machine::state_t;

std::string_view marker_machine::state_name() const noexcept {
    switch (s_) {
    case s::created: return "created";
    case s::recorded: return "recorded";
    case s::failed: return "failed";
    }
    return "unknown";
}

bool marker_machine::recorded(const model::history_event& e, engine& en) {
    if (s_ == s::created && (e.event_type == et::marker_recorded || e.event_type == et::record_marker_failed)) {
        s_ = e.event_type == et::marker_recorded ? s::recorded : s::failed;
        moved(e, state_name());
        return false;
    }
    refuse(e, en);
    return false;
}

void marker_machine::outcome(const model::history_event& e, engine& en) {
    refuse(e, en); // no event names a marker
}

} // namespace swfrt::workflow::detail
