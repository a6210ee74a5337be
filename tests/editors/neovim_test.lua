-- Driven by tests/lsp/test_editors.py: Neovim, configured by editors/neovim/rulesctl.lua, opens
-- a rule file of a repository whose ruleset has an error, then the ruleset is fixed on disk.
-- Writes what it saw, one line a step, to $RULESCTL_NVIM_OUT, and quits.
local out = {}
local function say(line)
  table.insert(out, line)
end

local file = os.getenv('RULESCTL_NVIM_FILE')
local fix = os.getenv('RULESCTL_NVIM_FIX')
vim.cmd.edit(file)
say('filetype ' .. vim.bo.filetype)

local function codes()
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do
    table.insert(seen, tostring(d.code))
  end
  table.sort(seen)
  return table.concat(seen, ',')
end

local attached = vim.wait(20000, function()
  return #vim.lsp.get_clients({ bufnr = 0, name = 'rulesctl' }) > 0
end, 20)
say('attached ' .. tostring(attached))
vim.wait(20000, function()
  return #vim.diagnostic.get(0) > 0
end, 20)
say('diagnostics ' .. codes())

local client = vim.lsp.get_clients({ bufnr = 0, name = 'rulesctl' })[1]
if client then
  local result = client:request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(0) },
    position = { line = 2, character = 4 },
  }, 10000, 0)
  local value = result and result.result and result.result.contents and result.result.contents.value or ''
  say('hover ' .. (value:match('`([%w_.]+)`') or 'none'))
  say('semantic ' .. tostring(client.server_capabilities.semanticTokensProvider ~= nil))
end

-- The fix is written on disk, to a file Neovim has not opened: the watcher must see it.
local source = io.open(fix .. '.fixed', 'r')
local text = source:read('*a')
source:close()
local target = io.open(fix, 'w')
target:write(text)
target:close()
vim.wait(20000, function()
  return #vim.diagnostic.get(0) == 0
end, 20)
say('after the fix on disk ' .. codes())

vim.fn.writefile(out, os.getenv('RULESCTL_NVIM_OUT'))
vim.cmd('qa!')
