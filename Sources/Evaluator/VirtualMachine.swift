import PolicyLang

/// Runs one rule's chunk against one request.
///
/// Why our own VM and not a tree-walking interpreter or an embedded engine: the
/// authorization check is on every request of every application, 1,000 rules × 100k
/// requests must take well under a second, and the decisions must be Cedar's exactly.
/// A compact bytecode with constants prepared at load, a value stack allocated once and
/// reused, specialization over the entity store (no protocol boxing), and a memo for `in`
/// gives that without pulling a Rust toolchain and FFI into a Swift server. The loop is
/// written to read like Cedar's evaluator: one case per operator, each with Cedar's
/// type rules and errors.
///
/// Not thread-safe: one VM per thread (an `Authorizer` owns one).
final class VirtualMachine {
    enum Outcome: Equatable {
        case satisfied
        /// `when` was false or `unless` was true.
        case notSatisfied
        /// The principal/action/resource scope did not match.
        case outOfScope
        case error(EvaluationError)
    }

    private var stack: [Value]
    private var memo: AncestorMemo
    private var principal: Value = .bool(false)
    private var action: Value = .bool(false)
    private var resource: Value = .bool(false)
    private var context: Value = .record([:])

    init(stackCapacity: Int, maxHierarchyDepth: Int) {
        stack = []
        stack.reserveCapacity(max(stackCapacity, 16))
        memo = AncestorMemo(maxDepth: maxHierarchyDepth)
    }

    /// Starts a new request: sets the variables and forgets the previous request's memo.
    func begin(_ request: Request) {
        principal = .entity(request.principal)
        action = .entity(request.action)
        resource = .entity(request.resource)
        context = .record(request.context)
        memo.reset()
    }

    func run<E: EntitySource>(_ chunk: LoadedChunk, symbols: [String], entities: E) -> Outcome {
        // Work on a local array (moved out of the instance, so no copy): the hot loop
        // then touches no class storage per push/pop, and the capacity reserved once is
        // kept across rules and requests.
        var stack: [Value] = []
        swap(&stack, &self.stack)
        defer {
            stack.removeAll(keepingCapacity: true)
            swap(&stack, &self.stack)
        }
        var instruction = 0
        do {
            return try execute(chunk, symbols: symbols, entities: entities, stack: &stack, instruction: &instruction)
        } catch {
            var located = error
            located.location = located.location ?? chunk.source.location(at: instruction)
            return .error(located)
        }
    }

    private func execute<E: EntitySource>(
        _ chunk: LoadedChunk, symbols: [String], entities: E, stack: inout [Value], instruction: inout Int
    ) throws(EvaluationError) -> Outcome {
        let code = chunk.code
        var pc = 0

        @inline(__always) func operand() -> Int {
            let value = Int(code[pc]) | Int(code[pc + 1]) << 8
            pc += 2
            return value
        }
        @inline(__always) func pop() -> Value { stack.removeLast() }
        @inline(__always) func popLong() throws(EvaluationError) -> Int64 {
            let value = stack.removeLast()
            guard case .long(let n) = value else { throw .type(expected: "long", got: value) }
            return n
        }
        @inline(__always) func popSet() throws(EvaluationError) -> Set<Value> {
            let value = stack.removeLast()
            guard case .set(let s) = value else { throw .type(expected: "set", got: value) }
            return s
        }
        @inline(__always) func popBool(_ what: String) throws(EvaluationError) -> Bool {
            let value = stack.removeLast()
            guard case .bool(let b) = value else { throw .type(expected: "bool (\(what))", got: value) }
            return b
        }

        while true {
            instruction = pc
            // Every opcode byte was checked by `Chunk.verify` (bundles from bytes) or
            // written by the emitter, and `Opcode` is a UInt8 enum numbered from 0 in
            // declaration order, so the byte is the enum's own representation. The
            // checked `Opcode(rawValue:)` is an out-of-line call per instruction.
            let op = unsafeBitCast(code[pc], to: Opcode.self)
            pc += 1
            switch op {
            case .constant:
                stack.append(chunk.constants[operand()])
            case .loadPrincipal:
                stack.append(principal)
            case .loadAction:
                stack.append(action)
            case .loadResource:
                stack.append(resource)
            case .loadContext:
                stack.append(context)

            case .getAttribute:
                let name = symbols[operand()]
                stack.append(try attribute(name, of: pop(), entities: entities))
            case .hasAttribute:
                let name = symbols[operand()]
                switch pop() {
                case .entity(let uid):
                    do {
                        stack.append(.bool(try entities.hasAttribute(name, of: uid)))
                    } catch {
                        throw EvaluationError("entity store: \(error.message)")
                    }
                case .record(let record):
                    stack.append(.bool(Value.field(name, of: record) != nil))
                case let other:
                    throw .type(expected: "entity or record", got: other)
                }
            case .like:
                let pattern = chunk.patterns[operand()]
                let value = pop()
                guard case .string(let s) = value else { throw .type(expected: "string", got: value) }
                stack.append(.bool(LikePattern.matches(s, pattern)))
            case .isType:
                let type = symbols[operand()]
                let value = pop()
                guard case .entity(let uid) = value else { throw .type(expected: "entity", got: value) }
                stack.append(.bool(CedarString.equal(uid.type, type)))
            case .in:
                let rhs = pop()
                let lhs = pop()
                guard case .entity(let descendant) = lhs else { throw .type(expected: "entity", got: lhs) }
                switch rhs {
                case .entity(let ancestor):
                    stack.append(.bool(try memo.isDescendant(descendant, of: ancestor, in: entities)))
                case .set(let candidates):
                    // Cedar checks every element is an entity before answering.
                    for candidate in candidates {
                        guard case .entity = candidate else { throw .type(expected: "set of entities", got: candidate) }
                    }
                    var found = false
                    for case .entity(let ancestor) in candidates where !found {
                        found = try memo.isDescendant(descendant, of: ancestor, in: entities)
                    }
                    stack.append(.bool(found))
                default:
                    throw .type(expected: "entity or set of entities", got: rhs)
                }

            case .equal:
                let rhs = pop()
                let lhs = pop()
                stack.append(.bool(lhs == rhs))
            case .notEqual:
                let rhs = pop()
                let lhs = pop()
                stack.append(.bool(lhs != rhs))
            case .less:
                let rhs = try popLong()
                stack.append(.bool(try popLong() < rhs))
            case .lessOrEqual:
                let rhs = try popLong()
                stack.append(.bool(try popLong() <= rhs))
            case .greater:
                let rhs = try popLong()
                stack.append(.bool(try popLong() > rhs))
            case .greaterOrEqual:
                let rhs = try popLong()
                stack.append(.bool(try popLong() >= rhs))

            case .add:
                let rhs = try popLong()
                let lhs = try popLong()
                let (sum, overflow) = lhs.addingReportingOverflow(rhs)
                if overflow { throw EvaluationError("integer overflow: \(lhs) + \(rhs)") }
                stack.append(.long(sum))
            case .subtract:
                let rhs = try popLong()
                let lhs = try popLong()
                let (difference, overflow) = lhs.subtractingReportingOverflow(rhs)
                if overflow { throw EvaluationError("integer overflow: \(lhs) - \(rhs)") }
                stack.append(.long(difference))
            case .multiply:
                let rhs = try popLong()
                let lhs = try popLong()
                let (product, overflow) = lhs.multipliedReportingOverflow(by: rhs)
                if overflow { throw EvaluationError("integer overflow: \(lhs) * \(rhs)") }
                stack.append(.long(product))
            case .negate:
                let n = try popLong()
                if n == .min { throw EvaluationError("integer overflow: -(\(n))") }
                stack.append(.long(-n))
            case .not:
                stack.append(.bool(!(try popBool("operand of !"))))

            case .contains:
                let element = pop()
                stack.append(.bool(try popSet().contains(element)))
            case .containsAll:
                let other = try popSet()
                stack.append(.bool(other.isSubset(of: try popSet())))
            case .containsAny:
                let other = try popSet()
                stack.append(.bool(!other.isDisjoint(with: try popSet())))
            case .makeSet:
                let count = operand()
                let set = Set(stack[(stack.count - count)...])
                stack.removeLast(count)
                stack.append(.set(set))
            case .makeRecord:
                let keys = chunk.recordShapes[operand()]
                var record = [String: Value](minimumCapacity: keys.count)
                let base = stack.count - keys.count
                for (offset, key) in keys.enumerated() { record[key] = stack[base + offset] }
                stack.removeLast(keys.count)
                stack.append(.record(record))

            case .callFunction:
                let function = ExtensionFunction(rawValue: code[pc]).unsafelyUnwrapped
                pc += 1
                stack.append(try call(function, pop()))
            case .callMethod:
                let method = ExtensionMethod(rawValue: code[pc]).unsafelyUnwrapped
                pc += 1
                let argument = method.argumentCount == 1 ? pop() : nil
                stack.append(try call(method, on: pop(), argument))

            case .jump:
                let distance = operand()
                pc += distance
            case .jumpIfFalseOrPop:
                let distance = operand()
                guard case .bool(let b) = stack[stack.count - 1] else {
                    throw .type(expected: "bool (operand of &&)", got: stack[stack.count - 1])
                }
                if b { stack.removeLast() } else { pc += distance }
            case .jumpIfTrueOrPop:
                let distance = operand()
                guard case .bool(let b) = stack[stack.count - 1] else {
                    throw .type(expected: "bool (operand of ||)", got: stack[stack.count - 1])
                }
                if b { pc += distance } else { stack.removeLast() }
            case .popJumpIfFalse:
                let distance = operand()
                if !(try popBool("if condition")) { pc += distance }
            case .checkBool:
                guard case .bool = stack[stack.count - 1] else {
                    throw .type(expected: "bool (operand of && or ||)", got: stack[stack.count - 1])
                }

            case .requireScope:
                if !(try popBool("scope")) { return .outOfScope }
            case .requireWhen:
                if !(try popBool("when condition")) { return .notSatisfied }
            case .requireUnless:
                if try popBool("unless condition") { return .notSatisfied }
            case .accept:
                return .satisfied
            }
        }
    }

    /// `.attr` / `["attr"]`: on an entity, read through the store (a missing entity or
    /// attribute is an error); on a record, a missing field is an error.
    private func attribute<E: EntitySource>(_ name: String, of value: Value, entities: E) throws(EvaluationError) -> Value {
        switch value {
        case .entity(let uid):
            let lookup: AttributeLookup
            do {
                lookup = try entities.attribute(name, of: uid)
            } catch {
                throw EvaluationError("entity store: \(error.message)")
            }
            switch lookup {
            case .value(let v): return v
            case .noSuchAttribute: throw EvaluationError("\(uid) does not have the attribute `\(name)`")
            case .noSuchEntity: throw EvaluationError("entity \(uid) does not exist")
            }
        case .record(let record):
            guard let v = Value.field(name, of: record) else { throw EvaluationError("record does not have the attribute `\(name)`") }
            return v
        default:
            throw .type(expected: "entity or record", got: value)
        }
    }

    private func call(_ function: ExtensionFunction, _ argument: Value) throws(EvaluationError) -> Value {
        guard case .string(let text) = argument else { throw .type(expected: "string", got: argument) }
        switch function {
        case .ip:
            switch IPAddress.parse(text) {
            case .success(let ip): return .ipaddr(ip)
            case .failure(let e): throw EvaluationError("ip(): \(e.message)")
            }
        case .decimal:
            switch CedarDecimal.parse(text) {
            case .success(let d): return .decimal(d)
            case .failure(let e): throw EvaluationError("decimal(): \(e.message)")
            }
        }
    }

    private func call(_ method: ExtensionMethod, on receiver: Value, _ argument: Value?) throws(EvaluationError) -> Value {
        func ip(_ v: Value) throws(EvaluationError) -> IPAddress {
            guard case .ipaddr(let ip) = v else { throw .type(expected: "ipaddr", got: v) }
            return ip
        }
        func decimal(_ v: Value) throws(EvaluationError) -> CedarDecimal {
            guard case .decimal(let d) = v else { throw .type(expected: "decimal", got: v) }
            return d
        }
        switch method {
        case .isIpv4: return .bool(try ip(receiver).isIPv4)
        case .isIpv6: return .bool(try ip(receiver).isIPv6)
        case .isLoopback: return .bool(try ip(receiver).isLoopback)
        case .isMulticast: return .bool(try ip(receiver).isMulticast)
        case .isInRange: return .bool(try ip(receiver).isInRange(try ip(argument!)))
        case .lessThan: return .bool(try decimal(receiver) < (try decimal(argument!)))
        case .lessThanOrEqual: return .bool(try decimal(receiver) <= (try decimal(argument!)))
        case .greaterThan: return .bool(try decimal(receiver) > (try decimal(argument!)))
        case .greaterThanOrEqual: return .bool(try decimal(receiver) >= (try decimal(argument!)))
        }
    }
}
