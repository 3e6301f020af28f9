// `express4` is a devDependency alias of Express 4, so the suite runs against both majors. Its
// runtime API is the one @types/express describes for the calls these tests make.
declare module 'express4' {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the only way to re-export an `export =` module
  import express = require('express');
  export = express;
}
