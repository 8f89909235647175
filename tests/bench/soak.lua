-- Mixed load for make soak: reads, lists and writes, with think time so the
-- rate stays steady.  The token comes from the environment (LEYE_TOKEN).
local token = os.getenv("LEYE_TOKEN")
local n = 0
request = function()
    n = n + 1
    local h = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
    local k = n % 10
    if k < 5 then
        return wrk.format("GET", "/v1/regions/530621", h)
    elseif k < 8 then
        return wrk.format("GET", "/v1/sites?limit=20", h)
    else
        local body = string.format('{"name":"soak %d %d","county_code":530621,"kind":"scattered"}',
                                   math.random(1, 1000000000), n)
        return wrk.format("POST", "/v1/sites", h, body)
    end
end
delay = function()
    return 5
end

done = function(summary, latency, requests)
    io.write(string.format("answers other than 2xx: %d\n", summary.errors.status))
end
