import Foundation

/// An amount of a resource as kube's `resource.Quantity` holds it (`500m`, `1Gi`, `3`), with
/// exact decimal arithmetic, for the ResourceQuota controller and admission, which add up
/// Pods' requests and compare them with a quota's limits.
///
/// A sum keeps the format of its first term that is not zero (`100Mi + 100Mi` is `200Mi`, `100m + 500m` is
/// `600m`) and is written in Go's canonical form, so `kubectl describe quota` reads as on a
/// real cluster.
///
/// ```swift
/// let used = Quantity("100Mi")! + Quantity("100Mi")!
/// used.description            // "200Mi"
/// used <= Quantity("1Gi")!    // true
/// ```
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How Go writes a quantity back: decimal suffixes (`k`, `M`, `m`), binary ones (`Ki`, `Mi`)
    /// or a decimal exponent (`1e3`).
    public enum Format: Sendable, Hashable {
        case decimalSI, binarySI, decimalExponent
    }

    /// The exact amount.
    public var amount: Decimal
    /// The format of the quantity it came from; `nil` for a zero that nothing has been added to.
    public var format: Format?

    /// Zero, with no format of its own (a sum takes its first term's).
    public static let zero = Quantity(amount: 0, format: nil)

    public init(amount: Decimal, format: Format?) {
        self.amount = amount
        self.format = format
    }

    /// `text` as kube-apiserver stores it (`1000` → `1k`, `1024Ki` → `1Mi`): what a controller
    /// must write to compare equal with what it reads back. Text that is not a quantity is kept.
    public static func canonical(_ text: String) -> String {
        ResourceQuantity.canonical(text) ?? text
    }

    /// `text` as kube-apiserver parses it; `nil` when it is not a quantity.
    public init?(_ text: String) {
        guard case .success(let parsed) = ResourceQuantity.parse(text),
            var value = Decimal(string: "\(parsed.whole.isEmpty ? "0" : parsed.whole).\(parsed.fraction.isEmpty ? "0" : parsed.fraction)",
                                locale: Locale(identifier: "en_US_POSIX"))
        else { return nil }
        if parsed.base == 2 {
            value *= pow(Decimal(2), parsed.exponent)
        } else if parsed.exponent != 0 {
            value = Decimal(sign: value.sign, exponent: value.exponent + parsed.exponent, significand: value.significand)
        }
        amount = parsed.positive ? value : -value
        switch parsed.format {
        case .decimalSI: format = .decimalSI
        case .binarySI: format = .binarySI
        case .decimalExponent: format = .decimalExponent
        }
    }

    /// One (of a counted object).
    public static let one = Quantity(amount: 1, format: .decimalSI)

    public var isZero: Bool { amount.isZero }

    /// The sum, in the format of `lhs` — or of `rhs` when `lhs` is zero, as Go's `Add` does.
    public static func + (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(amount: lhs.amount + rhs.amount, format: lhs.isZero ? rhs.format ?? lhs.format : lhs.format ?? rhs.format)
    }

    public static func - (lhs: Quantity, rhs: Quantity) -> Quantity {
        Quantity(amount: lhs.amount - rhs.amount, format: lhs.format ?? rhs.format)
    }

    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount < rhs.amount }

    /// Equal amounts are equal quantities, whatever their format (`1Ki` is `1024`).
    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.amount == rhs.amount }

    public func hash(into hasher: inout Hasher) { hasher.combine(amount) }

    /// The larger of two quantities (the first when equal).
    public static func maximum(_ lhs: Quantity, _ rhs: Quantity) -> Quantity { rhs.amount > lhs.amount ? rhs : lhs }

    /// Go's canonical string of the amount in this format (`0`, `600m`, `200Mi`, `1500`).
    public var description: String {
        if amount.isZero { return "0" }
        var plain = NSDecimalNumber(decimal: amount).description(withLocale: Locale(identifier: "en_US_POSIX"))
        if plain.hasPrefix("-") { plain.removeFirst() }
        let sign = amount < 0 ? "-" : ""
        if format == .binarySI, !plain.contains("."), let whole = Decimal(string: plain), whole >= 1024 {
            // The largest power of 1024 that divides it, as Go's base-1024 canonical form.
            var value = whole
            var power = 0
            let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
            while power < 6 {
                let (quotient, exact) = Self.divide(value, by: 1024)
                guard exact else { break }
                value = quotient
                power += 1
            }
            return sign + NSDecimalNumber(decimal: value).stringValue + suffixes[power]
        }
        return sign + (ResourceQuantity.canonical(plain) ?? plain)
    }

    /// `value / divisor`, and whether it divides exactly.
    private static func divide(_ value: Decimal, by divisor: Decimal) -> (Decimal, Bool) {
        var quotient = value / divisor
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, .down)
        return (rounded, rounded * divisor == value)
    }
}
