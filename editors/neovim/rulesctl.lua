-- rulesctl's language server in Neovim 0.11 or newer. Copy this file into your configuration
-- (for example as ~/.config/nvim/plugin/rulesctl.lua) or `:luafile` it from init.lua.
--
-- File watching: Neovim on Linux does not offer to watch files (its dynamic registration of
-- `workspace/didChangeWatchedFiles` is off there), so rulesctl watches the files an analysis
-- reads itself, recursively, and a rule file changed on disk (a `git checkout`, a rename) is
-- re-checked. Leave it that way: turned on without `inotifywait` installed, Neovim 0.11's own
-- fallback watcher does not look into sub-folders for the patterns rulesctl registers, and rule
-- files live in sub-folders.

vim.lsp.config('rulesctl', {
  cmd = { 'rulesctl', 'lsp' },
  filetypes = { 'hcl', 'yaml' },
  root_markers = { 'rulesctl.hcl', 'rules' },
  -- Answered to the server's `workspace/configuration` (section `rulesctl`).
  settings = {
    rulesctl = {
      maxDiagnosticsPerFile = 1000,
      inlayHints = { enable = true },
    },
  },
})
vim.lsp.enable('rulesctl')

-- Semantic tokens and inlay hints: Neovim shows the first by default; turn the hints on where
-- the server attaches.
vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(args)
    local client = vim.lsp.get_client_by_id(args.data.client_id)
    if client and client.name == 'rulesctl' and client:supports_method('textDocument/inlayHint') then
      vim.lsp.inlay_hint.enable(true, { bufnr = args.buf })
    end
  end,
})
