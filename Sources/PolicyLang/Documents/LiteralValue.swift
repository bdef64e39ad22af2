/// An attribute or context value written in a test document or a Cedar entities JSON file,
/// kept as written so that the evaluator can convert it into its own representation.
public indirect enum LiteralValue: Sendable, Equatable, Hashable {
    case bool(Bool)
    case long(Int64)
    case string(String)
    /// `{__entity: {type: User, id: alice}}`
    case entity(EntityUID)
    case set([LiteralValue])
    case record([String: LiteralValue])
    /// `{__extn: {fn: ip, arg: "10.0.0.1"}}`
    case `extension`(function: String, argument: String)
}
