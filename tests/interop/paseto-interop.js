// SPDX-License-Identifier: MIT
// Interop with an independent PASETO implementation (npm "paseto" 3.x):
//   node paseto-interop.js sign KEYFILE KID TYP PAYLOADFILE   -> token on stdout
//   node paseto-interop.js verify PUBFILE TYP TOKENLINE        -> message on stdout
// KEYFILE holds a k4.secret, PUBFILE a k4.public (as `licissue keygen` writes).
'use strict'
const fs = require('fs')
const { V4 } = require(process.env.PASETO_MODULE || 'paseto')

const text = (f) => fs.readFileSync(f, 'utf8').trim()

async function main([cmd, ...a]) {
  if (cmd === 'sign') {
    const [keyfile, kid, typ, payloadfile] = a
    const footer = JSON.stringify({ kid, typ })
    const tok = await V4.sign(fs.readFileSync(payloadfile), text(keyfile), {
      footer, assertion: `licd:v1:${typ}`,
    })
    process.stdout.write(tok + '\n')
  } else if (cmd === 'verify') {
    const [pubfile, typ, token] = a
    const { payload, footer } = await V4.verify(token, text(pubfile), {
      complete: true, buffer: true, assertion: `licd:v1:${typ}`,
    })
    const f = JSON.parse(footer.toString('utf8'))
    if (f.typ !== typ) throw new Error(`footer typ ${f.typ} is not ${typ}`)
    process.stdout.write(payload)
  } else {
    throw new Error('usage: sign KEYFILE KID TYP PAYLOADFILE | verify PUBFILE TYP TOKEN')
  }
}

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`paseto-interop: ${err.message}\n`)
  process.exit(1)
})
