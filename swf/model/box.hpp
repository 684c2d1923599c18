// An optional value kept on the heap, with value semantics. Optional nested
// structs use it so that a history_event (57 optional attribute structs)
// stays a few hundred bytes instead of kilobytes.
#pragma once

#include <memory>
#include <utility>

namespace swfrt::swf::model {

template <class T>
class box {
public:
    box() = default;
    box(const T& v) : p_(std::make_unique<T>(v)) {}
    box(T&& v) : p_(std::make_unique<T>(std::move(v))) {}
    box(const box& o) : p_(o.p_ ? std::make_unique<T>(*o.p_) : nullptr) {}
    box(box&&) noexcept = default;
    box& operator=(const box& o) {
        if (this != &o) p_ = o.p_ ? std::make_unique<T>(*o.p_) : nullptr;
        return *this;
    }
    box& operator=(box&&) noexcept = default;
    box& operator=(const T& v) { emplace() = v; return *this; }
    box& operator=(T&& v) { emplace() = std::move(v); return *this; }

    template <class... Args>
    T& emplace(Args&&... args) {
        p_ = std::make_unique<T>(std::forward<Args>(args)...);
        return *p_;
    }
    void reset() noexcept { p_.reset(); }

    bool has_value() const noexcept { return p_ != nullptr; }
    explicit operator bool() const noexcept { return has_value(); }
    T& operator*() { return *p_; }
    const T& operator*() const { return *p_; }
    T* operator->() { return p_.get(); }
    const T* operator->() const { return p_.get(); }

    friend bool operator==(const box& a, const box& b) {
        if (!a.p_ || !b.p_) return !a.p_ && !b.p_;
        return *a.p_ == *b.p_;
    }

private:
    std::unique_ptr<T> p_;
};

} // namespace swfrt::swf::model
