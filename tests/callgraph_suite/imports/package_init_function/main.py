import pkg

pkg.setup()
