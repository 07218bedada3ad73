import BuiltinKinds
import Foundation

extension CronSchedule {
    /// The first time after `date` the schedule fires, on the wall clock of `zone` (the
    /// schedule's own `TZ=` zone when it has one), as the cron library kube uses computes it:
    /// whole minutes; when both the day-of-month and day-of-week fields are restricted, a day
    /// matching either fires; `@every d` fires `d` (at least a second) after `date`, on the
    /// second. `nil` when nothing fires within five years (`0 0 30 2 *`).
    func next(after date: Date, in zone: TimeZone) -> Date? {
        if let every {
            let whole = date.timeIntervalSince1970.rounded(.down)
            return Date(timeIntervalSince1970: whole + max(1, every.rounded(.down)))
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone.flatMap { TimeZone(identifier: $0) } ?? zone
        let startMinute = (date.timeIntervalSince1970 / 60).rounded(.down) * 60
        var candidate = Date(timeIntervalSince1970: startMinute + 60)
        let lastYear = calendar.component(.year, from: candidate) + 5
        while true {
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: candidate)
            guard let year = parts.year, year <= lastYear, let month = parts.month, let day = parts.day,
                let hour = parts.hour, let minute = parts.minute, let weekday = parts.weekday
            else { return nil }
            if !months.contains(month) {
                let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? candidate
                guard let next = calendar.date(byAdding: .month, value: 1, to: first) else { return nil }
                candidate = next
                continue
            }
            let dayOfMonth = daysOfMonth.contains(day), dayOfWeek = daysOfWeek.contains(weekday - 1)
            let dayMatches = anyDayOfMonth || anyDayOfWeek ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek
            if !dayMatches {
                guard let next = calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: candidate)) else {
                    return nil
                }
                candidate = next
                continue
            }
            if !hours.contains(hour) {
                let startOfHour = candidate.addingTimeInterval(-TimeInterval(minute * 60))
                candidate = startOfHour.addingTimeInterval(3600)
                continue
            }
            if !minutes.contains(minute) {
                candidate = candidate.addingTimeInterval(60)
                continue
            }
            return candidate
        }
    }
}
