-- wrk script of the HTTP load benchmark: POSTs JSON bodies picked at random from a file of
-- pre-generated bodies (one a line), so that no server can answer one cached request.
--   wrk … -s post.lua URL -- PATH BODIES_FILE [BEARER_TOKEN]
-- Every request is formatted once in init(); request() only picks one.
local requests = {}

function init(args)
    local path, file, token = args[1], args[2], args[3]
    local headers = { ["Content-Type"] = "application/json" }
    if token ~= nil and token ~= "" then headers["Authorization"] = "Bearer " .. token end
    for line in io.lines(file) do
        if line ~= "" then requests[#requests + 1] = wrk.format("POST", path, headers, line) end
    end
    -- Each wrk thread has its own Lua state; seed each differently.
    math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
end

function request()
    return requests[math.random(#requests)]
end
