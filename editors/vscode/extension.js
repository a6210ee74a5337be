// The rulesctl extension: starts `rulesctl lsp` for the HCL and YAML files of a rules repository.
// Plain JavaScript, so there is nothing to build: `npm install` here, then run it with F5 from
// this folder, or package it with `npx @vscode/vsce package`.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('rulesctl').get('path') || 'rulesctl';
  // The server speaks LSP on stdin and stdout; it finds each file's repository itself.
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'hcl' },
      { scheme: 'file', pattern: '**/*.hcl' },
      { scheme: 'file', language: 'yaml' },
    ],
  };
  client = new LanguageClient('rulesctl', 'rulesctl', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
