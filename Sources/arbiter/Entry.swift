import Server

// Not `main.swift`: a top-level `await` there would bind to the synchronous entry point
// (DESIGN §6).
@main
enum Entry {
    static func main() async {
        await ArbiterCommand.main()
    }
}
